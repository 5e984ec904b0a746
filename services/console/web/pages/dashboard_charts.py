"""What static/dashboard.js draws: each chart names its table and the table's columns it plots, and
carries their values, so the embedded JSON holds the very figures of the table beside it. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from services.console.web.pages.exports import Table


@dataclass(frozen=True, slots=True)
class ChartSpec:
    table: str
    kind: Literal["line", "bar"]
    columns: tuple[str, ...] = ()  # empty: every count column but the 合计 one
    stack: bool = False
    include_total_rows: bool = False


CHARTS = (
    ChartSpec("received_track", "line"),
    ChartSpec("received_area", "bar", stack=True),
    ChartSpec("received_street", "bar", stack=True),
    ChartSpec("automatic", "line", ("自动分流占比",)),
    ChartSpec("on_time", "bar", ("按期办结率",)),
    ChartSpec("mediation", "bar", ("调解成功率",), include_total_rows=True),
    ChartSpec("satisfaction", "bar", ("满意率", "重办率"), include_total_rows=True),
    ChartSpec("repeats", "bar", ("重复件率",)),
    ChartSpec("litigation", "bar", ("分流至该机关", "已转送")),
)


def chart_data(spec: ChartSpec, table: Table) -> dict[str, Any]:
    """``{table, kind, stack, percent, categories, series: [{name, data}]}`` for one chart."""
    labels = spec.columns or tuple(c.label for c in table.columns[1:] if c.kind == "count" and c.label != "合计")
    indexes = [table.column(label) for label in labels]
    rows = table.rows if spec.include_total_rows else table.body_rows
    return {
        "table": table.key,
        "title": table.title,
        "kind": spec.kind,
        "stack": spec.stack,
        "percent": all(table.columns[i].kind == "rate" for i in indexes),
        "categories": [row[0] for row in rows],
        "series": [{"name": table.columns[i].label, "data": [row[i] for row in rows]} for i in indexes],
    }


def charts_for(tables: dict[str, Table]) -> list[dict[str, Any]]:
    return [chart_data(spec, tables[spec.table]) for spec in CHARTS if spec.table in tables]
