"""The two intake benchmarks post one body: wrk's script holds it, bench/accept_cpu.py reads it
from there. It must stay a filing intake accepts, or both would measure refusals."""

from __future__ import annotations

import json

from bench.accept_cpu import wrk_body
from services.intake.schemas import GrievanceCreate


def test_the_benchmarks_body_is_a_filing_intake_accepts() -> None:
    body = wrk_body()
    filing = GrievanceCreate.model_validate_json(body)
    assert filing.title == "路灯长期不亮"
    assert json.loads(body)["complainant"]["mobile"] == "13800138000"
