"""Many rows in one statement: each column's values travel as one array and ``unnest`` turns them
back into rows. An executemany runs one statement per row in the server (each firing the table's
statement triggers, each checking its foreign keys apart); this is one execution, with the rows'
order kept in ``x.position``. JSONB travels as text and is cast row by row.

    names, rows = unnest_rows(COLUMNS)
    text(f"INSERT INTO schema.table ({names}) {rows} ORDER BY x.position")
    session.execute(statement, column_arrays(COLUMNS, records))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# (column, its SQL type) in the order the statement lists them.
Columns = Sequence[tuple[str, str]]
JsonText = Callable[[Any], str | None]


def json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def unnest_rows(columns: Columns, *, prefix: str = "") -> tuple[str, str]:
    """The column list, and ``SELECT … FROM unnest(…) WITH ORDINALITY AS x(…, position)`` over
    the arrays bound as ``:{prefix}{column}``."""
    names = ", ".join(name for name, _ in columns)
    arrays = ", ".join(f"CAST(:{prefix}{name} AS {'text' if kind == 'jsonb' else kind}[])" for name, kind in columns)
    values = ", ".join(f"CAST(x.{name} AS jsonb)" if kind == "jsonb" else f"x.{name}" for name, kind in columns)
    # Only a service's own column names and types are formatted in.
    return names, f"SELECT {values} FROM unnest({arrays}) WITH ORDINALITY AS x({names}, position)"  # noqa: S608


def column_arrays(
    columns: Columns, rows: Sequence[Mapping[str, Any]], *, prefix: str = "", encode: JsonText = json_text
) -> dict[str, list[Any]]:
    """The rows' values as ``unnest_rows`` binds them: one list per column, JSONB values as text."""
    return {
        f"{prefix}{name}": [encode(row[name]) if kind == "jsonb" else row[name] for row in rows]
        for name, kind in columns
    }
