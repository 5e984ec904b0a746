"""The CJK TrueType font that generated documents and reports embed (Debian: fonts-wqy-zenhei)."""

from __future__ import annotations

from pathlib import Path

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def find_cjk_font(configured: str | None = None, candidates: tuple[str, ...] = CJK_FONT_CANDIDATES) -> str | None:
    """The configured font if it exists, else (when none is configured) the first installed candidate."""
    if configured:
        candidates = (configured,)
    return next((c for c in candidates if Path(c).is_file()), None)
