"""The real three-level taxonomy (一级 area, 二级 category, 三级 item) from
``shared/catalog/taxonomy.tsv``: the label space of the area and category decisions.

Category names repeat across areas (其他, 安全生产 …), so a category is always read with its area;
the category head's label is ``"area/category"`` (no name contains a slash).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

SEPARATOR = "/"


@dataclass(frozen=True)
class Taxonomy:
    areas: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]  # (area, category) in file order
    items: dict[tuple[str, str], tuple[str, ...]]

    @property
    def category_labels(self) -> tuple[str, ...]:
        return tuple(category_label(area, category) for area, category in self.categories)

    def has_category(self, area: str, category: str) -> bool:
        return (area, category) in self.items

    def has_item(self, area: str, category: str, item: str) -> bool:
        return item in self.items.get((area, category), ())

    def item_count(self) -> int:
        return sum(len(items) for items in self.items.values())


def category_label(area: str, category: str) -> str:
    return f"{area}{SEPARATOR}{category}"


def split_label(label: str) -> tuple[str, str]:
    area, _, category = label.partition(SEPARATOR)
    return area, category


def parse_taxonomy(raw: str) -> Taxonomy:
    """Parse ``area<TAB>category<TAB>item`` lines (the first line is the header)."""
    areas: dict[str, None] = {}
    items: dict[tuple[str, str], list[str]] = {}
    for lineno, line in enumerate(raw.splitlines()[1:], 2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not all(f.strip() for f in fields):
            raise ValueError(f"taxonomy line {lineno}: expected area, category and item separated by tabs")
        area, category, item = (f.strip() for f in fields)
        if SEPARATOR in area or SEPARATOR in category:
            raise ValueError(f"taxonomy line {lineno}: names must not contain {SEPARATOR!r}")
        areas.setdefault(area, None)
        listed = items.setdefault((area, category), [])
        if item not in listed:
            listed.append(item)
    return Taxonomy(tuple(areas), tuple(items), {key: tuple(value) for key, value in items.items()})


@cache
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    if path is None:
        raw = resources.files("shared.catalog").joinpath("taxonomy.tsv").read_text(encoding="utf-8")
    else:
        raw = path.read_text(encoding="utf-8")
    return parse_taxonomy(raw)
