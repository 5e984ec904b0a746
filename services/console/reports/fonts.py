"""The CJK font for the report's text and charts: the same TrueType fonts casework's documents
embed (Debian: fonts-wqy-zenhei), found by the shared lookup."""

from __future__ import annotations

from shared.fonts import CJK_FONT_CANDIDATES, find_cjk_font

# What Word shows the DOCX in; a reader without it substitutes a local CJK font.
DOCX_FONT = "WenQuanYi Zen Hei"


class FontMissing(RuntimeError):
    """No CJK TrueType font: charts and PDF text would come out as empty boxes."""


def cjk_font_path(configured: str | None = None) -> str:
    """The configured font, else the first system candidate that exists."""
    found = find_cjk_font(configured)
    if found is None:
        tried = configured or ", ".join(CJK_FONT_CANDIDATES)
        raise FontMissing(f"no CJK font found (tried {tried}); install fonts-wqy-zenhei")
    return found
