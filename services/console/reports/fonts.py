"""The CJK font for the report's text and charts: the same TrueType fonts casework's documents
embed (Debian: fonts-wqy-zenhei), looked up the same way; the console cannot import casework."""

from __future__ import annotations

from pathlib import Path

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
# What Word shows the DOCX in; a reader without it substitutes a local CJK font.
DOCX_FONT = "WenQuanYi Zen Hei"


class FontMissing(RuntimeError):
    """No CJK TrueType font: charts and PDF text would come out as empty boxes."""


def cjk_font_path(configured: str | None = None) -> str:
    """The configured font, else the first system candidate that exists."""
    candidates = [configured] if configured else list(FONT_CANDIDATES)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    raise FontMissing(f"no CJK font found (tried {', '.join(c for c in candidates if c)}); install fonts-wqy-zenhei")
