"""Tables as the dashboard shows them, and as files: CSV for any tool, XLSX for Excel.

A table's columns say what their cells are (text, a count, a rate), so each writer can keep
numbers as numbers and show rates as percentages without guessing from the values."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font

from services.console.reports.labels import percent

Kind = Literal["text", "count", "rate"]
Cell = str | int | float | None
ExportFormat = Literal["csv", "xlsx"]

# Excel needs the BOM to read a CSV file as UTF-8 rather than the system's code page (GBK).
UTF8_BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell starting with these as a formula; citizens' titles can start so.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel's sheet names: at most 31 characters, none of these.
SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    kind: Kind = "text"


@dataclass(slots=True)
class Table:
    """One figure set: ``key`` names it in URLs, ``rows`` hold raw values (rates as fractions)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    # Rows that sum up the others (合计): shown and exported, but not drawn as a chart point.
    total_rows: int = 0
    note: str = ""

    @property
    def body_rows(self) -> list[tuple[Cell, ...]]:
        return self.rows[: len(self.rows) - self.total_rows] if self.total_rows else self.rows

    def column(self, label: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.label == label)


def display(cell: Cell, kind: Kind) -> str:
    """How a cell reads on the page: rates as percentages, 无 where nothing could be divided."""
    if kind == "rate":
        return percent(cell if isinstance(cell, int | float) else None)
    return "" if cell is None else str(cell)


def _safe_text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _csv_cell(cell: Cell, kind: Kind) -> str:
    if cell is None:
        return ""
    if kind == "rate" and isinstance(cell, int | float):
        return percent(cell)  # Excel reads "90.91%" back as the number 0.9091
    if isinstance(cell, str):
        return _safe_text(cell)
    return str(cell)


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.label for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(cell, col.kind) for cell, col in zip(row, table.columns, strict=True)])
    return buffer.getvalue().encode("utf-8")


def sheet_name(title: str) -> str:
    return title.translate(SHEET_NAME_FORBIDDEN)[:31] or "Sheet1"


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = sheet_name(table.title)
    sheet.append([c.label for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(table.rows, start=2):
        for c, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            target = sheet.cell(row=r, column=c)
            target.value = value
            if isinstance(value, str):
                # Stored as text even when it starts with "=": a title must never become a formula.
                target.data_type = "s"
            elif column.kind == "rate":
                target.number_format = "0.00%"
    for c, column in enumerate(table.columns, start=1):
        width = max([len(column.label) * 2, *(len(display(row[c - 1], column.kind)) * 2 for row in table.rows)])
        sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = min(max(width, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(table: Table, fmt: ExportFormat, stem: str) -> Response:
    """The file as a download; the Chinese file name in RFC 6266's ``filename*``."""
    content, media_type = (to_csv(table), "text/csv; charset=utf-8") if fmt == "csv" else (to_xlsx(table), XLSX_TYPE)
    filename = f"{stem}.{fmt}"
    ascii_name = f"{table.key}.{fmt}"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


def table_rows_for_display(table: Table) -> Sequence[list[str]]:
    return [[display(cell, col.kind) for cell, col in zip(row, table.columns, strict=True)] for row in table.rows]
