"""Write the annual report: ``python -m services.console.reports --year 2026 [--format pdf|docx|both] [--out DIR]``.

Runs as a supervisor: the token comes from ``CONSOLE_STAFF_TOKEN`` (or ``GRIEVANCE_STAFF_TOKEN``);
in development, without one, a short-lived supervisor token is issued with the platform's JWT key.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from pathlib import Path

import httpx

from services.console.reports.api import FIRST_YEAR, LAST_YEAR
from services.console.reports.fonts import cjk_font_path
from services.console.reports.render import ReportFormat, file_name, render
from services.console.reports.sources import SourceError, StatisticsSource
from services.console.settings import Settings
from shared.auth import issue_token
from shared.events.vocabulary import Role
from shared.settings import Environment

FORMATS = {"pdf": [ReportFormat.pdf], "docx": [ReportFormat.docx], "both": [ReportFormat.pdf, ReportFormat.docx]}


def staff_token(settings: Settings) -> str:
    if settings.staff_token is not None:
        return settings.staff_token.get_secret_value()
    if settings.environment is Environment.production:
        raise SystemExit("CONSOLE_STAFF_TOKEN is required in production (a supervisor's token)")
    return issue_token(settings, subject="annual-report", role=Role.supervisor, ttl=timedelta(minutes=15))


async def write_report(settings: Settings, year: int, formats: list[ReportFormat], out: Path) -> list[Path]:
    async with httpx.AsyncClient(timeout=settings.service_timeout_s) as http:
        figures = await StatisticsSource(http, settings.service_urls(), staff_token(settings)).year(year)
    files = await asyncio.to_thread(render, figures, formats, font_path=cjk_font_path(settings.report_font_path))
    return await asyncio.to_thread(save, files, year, out)


def save(files: dict[ReportFormat, bytes], year: int, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, content in files.items():
        path = out / file_name(year, fmt)
        path.write_bytes(content)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.console.reports", description=__doc__)
    parser.add_argument("--year", type=int, required=True, choices=range(FIRST_YEAR, LAST_YEAR + 1), metavar="YEAR")
    parser.add_argument("--format", choices=sorted(FORMATS), default="both")
    parser.add_argument("--out", type=Path, default=Path.cwd(), help="directory to write to (default: here)")
    args = parser.parse_args(argv)
    try:
        written = asyncio.run(write_report(Settings(), args.year, FORMATS[args.format], args.out))
    except SourceError as exc:
        print(f"annual report failed: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
