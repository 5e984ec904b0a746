"""A bureau's labelled past cases (CSV or XLSX) as training records: ``train --history FILE``.

Columns ``title, text, area`` and optionally ``category`` (also 标题, 内容, 一级分类, 二级分类). CSV
may be UTF-8 (with or without BOM) or GB18030. Every row is validated — the area one of the 15,
(area, category) a pair of the taxonomy, the text not empty — and the first bad row stops the
import with its row number and column, so a half-read file never trains a model.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from services.router.classifier.taxonomy import load_taxonomy
from services.router.training.corpus import LabelledRecord

COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "标题"),
    "text": ("text", "内容"),
    "area": ("area", "一级分类"),
    "category": ("category", "二级分类"),
}
REQUIRED = ("title", "text", "area")
MIN_TEXT = 4  # as the corpus: fewer characters say nothing a model can learn from
TITLE_MAX = 60


class HistoryError(ValueError):
    """A history file that cannot be imported, with the row and column at fault."""


def read_history(path: Path) -> list[LabelledRecord]:
    """Every row of ``path`` as a record (exact duplicates once), or :class:`HistoryError`."""
    rows = _xlsx_rows(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _csv_rows(path)
    header = next(rows, None)
    if header is None:
        raise HistoryError("the file is empty")
    columns = _columns([str(h or "").strip().lstrip("\ufeff") for h in header])
    taxonomy = load_taxonomy()
    records: dict[str, LabelledRecord] = {}
    for number, row in enumerate(rows, 2):
        values = {name: _cell(row, index) for name, index in columns.items()}
        if not any(values.values()):
            continue  # a blank line at the end of an export
        record = _record(number, values, taxonomy.areas)
        records.setdefault(record.id, record)
    if not records:
        raise HistoryError("the file has no rows")
    return list(records.values())


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for name, aliases in COLUMNS.items():
        for index, value in enumerate(header):
            if value.lower() in aliases:
                found[name] = index
                break
    missing = [f"{name} ({'/'.join(COLUMNS[name][1:])})" for name in REQUIRED if name not in found]
    if missing:
        raise HistoryError(f"row 1: missing column {', '.join(missing)}")
    return found


def _cell(row: list[object], index: int) -> str:
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()


def _record(number: int, values: dict[str, str], areas: tuple[str, ...]) -> LabelledRecord:
    text, area, category = values["text"], values["area"], values.get("category", "")
    if not text:
        raise HistoryError(f"row {number}, column text: empty")
    if len(text) < MIN_TEXT:
        raise HistoryError(f"row {number}, column text: fewer than {MIN_TEXT} characters")
    if area not in areas:
        raise HistoryError(f"row {number}, column area: {area!r} is not one of the 15 areas")
    if category and not load_taxonomy().has_category(area, category):
        raise HistoryError(f"row {number}, column category: {category!r} is not a category of {area} in the taxonomy")
    title = values["title"][:TITLE_MAX] or "（无标题）"
    digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:16]
    fields = {"id": f"history-{digest}", "title": title, "text": text, "area": area, "category": category or None}
    try:
        return LabelledRecord.model_validate({**fields, "source": "history"})
    except ValidationError as exc:
        raise HistoryError(f"row {number}: {exc.errors()[0]['msg']}") from exc


def _csv_rows(path: Path) -> Iterator[list[object]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise HistoryError("the file is neither UTF-8 nor GB18030 text")
    try:
        yield from csv.reader(io.StringIO(decoded, newline=""))
    except csv.Error as exc:
        raise HistoryError(f"not a CSV file: {exc}") from exc


def _xlsx_rows(path: Path) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise HistoryError(f"not a readable XLSX workbook: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()
