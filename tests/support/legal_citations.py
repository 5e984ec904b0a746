"""Legal citations in the platform's code and documents, each resolved to (law, article, item).

Two spellings are in use: the Chinese one in texts that citizens and staff read
(``《信访工作条例》第三十一条第（六）项``) and ``§31(六)`` in code comments and English documents. A
bare article (``第二十三条``, ``§36``) belongs to the nearest law named before it in the same
paragraph, or to 《信访工作条例》 when none is; a section of DESIGN, an RFC or another specification
(``DESIGN §8``, ``WHATWG HTML §9.2``) is not a legal citation and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REGULATION = "信访工作条例"

# The laws cited anywhere, by every name they go by; the longest names first so that
# 《中华人民共和国人民调解法》 is one mention, not two.
LAW_ALIASES: dict[str, str] = {
    "信访工作条例": REGULATION,
    "中华人民共和国人民调解法": "人民调解法",
    "人民调解法": "人民调解法",
    "中华人民共和国民事诉讼法": "民事诉讼法",
    "民事诉讼法": "民事诉讼法",
    "刑事诉讼法": "刑事诉讼法",
    "刑诉法": "刑事诉讼法",
    "劳动争议调解仲裁法": "劳动争议调解仲裁法",
    "消费者权益保护法": "消费者权益保护法",
    "物业管理条例": "物业管理条例",
    "民法典": "民法典",
    "监察法": "监察法",
}
# The constants code builds citations from (f"{PEOPLE_MEDIATION_LAW}第十七条").
LAW_CONSTANTS = {"PEOPLE_MEDIATION_LAW": "人民调解法", "PETITION_REGULATION": REGULATION}
# Documents whose sections are numbered with § too; what follows them is not a law's article.
NOT_LAW = ("DESIGN", "STYLE", "WHATWG", "OIDC", "RFC", "HTML")

_NUMERALS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "零一二三四五六七八九十百"

_NAMES = (*sorted(LAW_ALIASES, key=len, reverse=True), *LAW_CONSTANTS, *NOT_LAW)
# Any title in 《》 names a law (an unknown one too), else one of the names above.
_MARKER = re.compile("《([^《》]+)》|" + "|".join(re.escape(name) for name in _NAMES))
_CHINESE = re.compile(rf"第([{_CN}]+)条(?:第[（(]?([{_CN}]+)[）)]?项)?|(?<=、)第[（(]([{_CN}]+)[）)]项")
_SECTION = re.compile(r"§\s?(\d+)(?:\s?\(([一二三四五六七八九十]+)\))?(?:\s?[–-]\s?§?(\d+))?")
_GLOSS = re.compile(r"[（(]([^（）()]*)[）)]")


def chinese_number(text: str) -> int:
    """一百一十二 → 112, 二十 → 20, 十七 → 17, 二百零三 → 203."""
    total, digit = 0, 0
    for char in text:
        if char == "百":
            total += (digit or 1) * 100
            digit = 0
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _NUMERALS[char]
    return total + digit


@dataclass(frozen=True, slots=True)
class Citation:
    path: Path
    line: int
    law: str
    article: int
    item: int | None
    # The words around the citation that must be about the article: its line and the lines beside it.
    context: str
    # Chinese citations followed by a parenthesised paraphrase: the paraphrase.
    gloss: str | None
    # One article of a range such as §29–§31 (only its existence is checked).
    in_range: bool

    def __str__(self) -> str:
        item = f"({self.item})" if self.item else ""
        return f"{self.path}:{self.line}: 《{self.law}》§{self.article}{item}"


def _paragraph_starts(text: str) -> list[int]:
    """Where paragraphs start: after a blank line, and at every row of a Markdown table."""
    blank_lines = (m.end() for m in re.finditer(r"\n[ \t#*>\"']*\n", text))
    table_rows = (m.start() + 1 for m in re.finditer(r"\n\s*\|", text))
    return sorted({0, *blank_lines, *table_rows})


def _law_before(text: str, position: int, paragraph_start: int) -> str | None:
    """The law named last before ``position`` in its paragraph; the regulation when none is."""
    markers = list(_MARKER.finditer(text, paragraph_start, position))
    if not markers:
        return REGULATION
    marker = markers[-1]
    if marker.group(1):  # a title: the law it names, under its usual short name
        title = marker.group(1)
        return next(
            (law for alias, law in LAW_ALIASES.items() if title.startswith(alias) or title.endswith(alias)), title
        )
    name = marker.group(0)
    return LAW_ALIASES.get(name) or LAW_CONSTANTS.get(name)


def _context(lines: list[str], line_index: int) -> str:
    return "\n".join(lines[max(0, line_index - 1) : line_index + 2])


def citations_in(path: Path, text: str) -> Iterator[Citation]:
    lines = text.splitlines()
    starts = _paragraph_starts(text)

    def locate(position: int) -> tuple[int, int]:
        paragraph = max(start for start in starts if start <= position)
        return text.count("\n", 0, position), paragraph

    last_article: tuple[str, int] | None = None
    for match in _CHINESE.finditer(text):
        line_index, paragraph = locate(match.start())
        if match.group(3):  # "、第（四）项" continues the previous article
            if last_article is None:
                continue
            law, article = last_article
            item: int | None = chinese_number(match.group(3))
        else:
            resolved = _law_before(text, match.start(), paragraph)
            if resolved is None:
                continue
            law, article = resolved, chinese_number(match.group(1))
            item = chinese_number(match.group(2)) if match.group(2) else None
        last_article = (law, article)
        gloss = _GLOSS.match(text, match.end())
        yield Citation(
            path,
            line_index + 1,
            law,
            article,
            item,
            _context(lines, line_index),
            gloss.group(1) if gloss else None,
            False,
        )
    for match in _SECTION.finditer(text):
        line_index, paragraph = locate(match.start())
        resolved = _law_before(text, match.start(), paragraph)
        if resolved is None:
            continue
        first = int(match.group(1))
        last = int(match.group(3)) if match.group(3) else first
        item = chinese_number(match.group(2)) if match.group(2) else None
        for article in range(first, last + 1):
            yield Citation(
                path, line_index + 1, resolved, article, item, _context(lines, line_index), None, last != first
            )


SCANNED_SUFFIXES = (".py", ".md", ".yaml", ".yml", ".j2", ".html")
SCANNED_ROOTS = ("services", "shared", "docs", "deploy", "bench", "README.md")
# Tests are left out: they assert the fragments the code cites, which are checked there.
# Citizens' own words in the router's corpus are data, not citations of ours; applied migrations
# are history (their comments repeat the tables' in db.py); the index page cites to explain.
SKIPPED_PARTS = ("corpus", "versions", "node_modules", "vendor", "__pycache__")
SKIPPED_FILES = ("docs/legal-basis.md",)


def repository_citations(root: Path) -> Iterator[Citation]:
    for top in SCANNED_ROOTS:
        base = root / top
        paths = [base] if base.is_file() else sorted(base.rglob("*"))
        for path in paths:
            relative = path.relative_to(root)
            if (
                path.suffix not in SCANNED_SUFFIXES
                or any(part in SKIPPED_PARTS for part in relative.parts)
                or relative.as_posix() in SKIPPED_FILES
            ):
                continue
            yield from citations_in(relative, path.read_text(encoding="utf-8"))
