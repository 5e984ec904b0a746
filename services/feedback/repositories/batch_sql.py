"""Statements that write a whole consumer batch at once: arrays as parameters, unnested into rows.

One statement whatever the batch size, so asyncpg prepares each once (a multi-row VALUES list
would be a new statement for every size), and one round trip per table per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, cast, column, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.types import Text, TypeEngine


def _array_type(column_type: TypeEngine[Any]) -> TypeEngine[Any]:
    # JSONB travels as JSON text (a jsonb[] parameter would need a codec per element).
    return ARRAY(Text if isinstance(column_type, JSONB) else column_type)


def array_name(column_name: str) -> str:
    # Not the column's own name: SQLAlchemy keeps those for an INSERT's or UPDATE's values.
    return f"{column_name}_array"


def arrays(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, list[Any]]:
    """The parameters of a statement below: one array per column of ``rows`` (tuples in ``names`` order)."""
    return {array_name(name): [row[i] for row in rows] for i, name in enumerate(names)}


def unnested(table: Table, names: Sequence[str], *, ordinality: bool = False) -> Any:
    """``unnest(:name1_array, ...) AS batch(name1, ...)``: one parameter, an array, per column."""
    parameters = [bindparam(array_name(name), type_=_array_type(table.c[name].type)) for name in names]
    typed = [column(name, Text if isinstance(table.c[name].type, JSONB) else table.c[name].type) for name in names]
    extra = {"with_ordinality": "ordinality"} if ordinality else {}
    return func.unnest(*parameters).table_valued(*typed, **extra).render_derived(name="batch")


def _value(table: Table, batch: Any, name: str) -> Any:
    """An unnested column as the table's column takes it: JSON text cast back to jsonb."""
    return cast(batch.c[name], JSONB) if isinstance(table.c[name].type, JSONB) else batch.c[name]


def hold_rows(table: Table, *, key: str, touch: str) -> Any:
    """Insert the rows not there yet (key and tracking number), lock every one of them and return
    them whole. The update that changes nothing (``touch`` set to itself) is what locks and
    returns a row that exists."""
    batch = (
        func.unnest(bindparam("keys", type_=ARRAY(Text)), bindparam("tracking_nos", type_=ARRAY(Text)))
        .table_valued("key", "tracking_no")
        .render_derived(name="batch")
    )
    statement = pg_insert(table).from_select([key, "tracking_no"], select(batch.c.key, batch.c.tracking_no))
    return statement.on_conflict_do_update(index_elements=[table.c[key]], set_={touch: table.c[touch]}).returning(table)


def update_rows(table: Table, names: Sequence[str]) -> Any:
    """UPDATE rows by primary key (the first name) with a value per column and row."""
    batch = unnested(table, names)
    key = names[0]
    return update(table).where(table.c[key] == batch.c[key]).values({n: _value(table, batch, n) for n in names[1:]})


def insert_rows(table: Table, names: Sequence[str]) -> Any:
    """INSERT one row per array position, in array order (serial ids follow it)."""
    batch = unnested(table, names, ordinality=True)
    rows = select(*(_value(table, batch, name) for name in names)).order_by(batch.c.ordinality)
    return pg_insert(table).from_select(list(names), rows)
