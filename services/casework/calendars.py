"""Load the working-day calendar from its data file (holidays_cn.yaml by default)."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from services.casework.domain.calendar import WorkingCalendar


def parse_calendar(raw: dict[str, Any]) -> WorkingCalendar:
    holidays: set[date] = set()
    makeup: set[date] = set()
    years: set[int] = set()
    for year, spec in (raw.get("years") or {}).items():
        years.add(int(year))
        if not spec.get("source"):
            raise ValueError(f"holiday data for {year} must name its source")
        for period in spec.get("holidays") or []:
            first, last = _as_date(period["from"]), _as_date(period["to"])
            if last < first:
                raise ValueError(f"holiday {period.get('name')} ends before it starts")
            holidays.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        makeup.update(_as_date(day) for day in spec.get("makeup_workdays") or [])
    return WorkingCalendar(
        holidays=frozenset(holidays), makeup_workdays=frozenset(makeup), covered_years=frozenset(years)
    )


def load_calendar(path: Path | None = None) -> WorkingCalendar:
    if path is None:
        text = resources.files("services.casework").joinpath("holidays_cn.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return parse_calendar(yaml.safe_load(text))


def _as_date(value: Any) -> date:
    # YAML reads 2026-01-01 as a date already; quoted values arrive as text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))
