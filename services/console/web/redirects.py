"""Where a sign-in may send the browser afterwards: a path on this site, never another site."""

from __future__ import annotations

from urllib.parse import urlsplit

# Pages a sign-in must not land on again (loops) even though they are local.
NOT_AFTER_SIGN_IN = ("/login", "/logout")


def safe_next(candidate: str | None) -> str | None:
    """``candidate`` if it is a local path (``/inbox?page=2``), else ``None``.

    Refused: absolute URLs, scheme-relative ``//host``, ``/\\host`` (browsers read a backslash as
    a slash), control characters, and anything that parses with a scheme or a host."""
    if not candidate or len(candidate) > 2000 or not candidate.startswith("/"):
        return None
    if candidate.startswith(("//", "/\\")) or "\\" in candidate:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in candidate):
        return None
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return None
    if parts.path.rstrip("/") in NOT_AFTER_SIGN_IN:
        return None
    return candidate
