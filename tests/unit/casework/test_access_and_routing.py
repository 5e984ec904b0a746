"""Who reads what (reports stay with the 纪检监察 body) and how a routing decision becomes an
assignment (reports redirected, litigation to a 政法 body, unknown departments refused)."""

from __future__ import annotations

from datetime import date

import pytest

from services.casework.app import build_context
from services.casework.domain.access import Reader, may_read_documents, may_read_grievance, staff_reader
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.handoff import handlers_for
from services.casework.settings import Settings
from shared.events.contracts import Departments, RoutingDecision
from shared.events.vocabulary import Area, PetitionKind, Track
from shared.kafka.consumer import PermanentError
from tests.unit.casework.helpers import at, new_case

NOW = at(date(2026, 3, 2))


def decision(
    lead: str, co: list[str], *, track: Track = Track.petition, kind: PetitionKind | None = PetitionKind.claim
) -> RoutingDecision:
    return RoutingDecision(
        track=track,
        petition_kind=kind,
        area=Area.urban_rural_construction,
        departments=Departments(lead=lead, co=co),
        confidence=0.8,
    )


def test_departments_see_their_own_cases_only() -> None:
    case = new_case(NOW, co=("water",))
    assert staff_reader(case, department="housing", sees_all=False) is Reader.lead
    assert staff_reader(case, department="water", sees_all=False) is Reader.co
    assert staff_reader(case, department="education", sees_all=False) is None
    assert staff_reader(case, department=None, sees_all=True) is Reader.bureau


def test_report_materials_only_for_the_handling_body_and_the_citizen() -> None:
    report = new_case(NOW, kind=PetitionKind.report, lead="discipline-inspection")
    assert may_read_grievance(report, Reader.lead) and may_read_grievance(report, Reader.citizen)
    for reader in (Reader.co, Reader.bureau):
        assert not may_read_grievance(report, reader)
        assert not may_read_documents(report, reader)
    claim = new_case(NOW)
    assert all(may_read_grievance(claim, reader) for reader in Reader)


@pytest.fixture(scope="module")
def ctx() -> CaseworkContext:
    return build_context(Settings())


def test_a_report_goes_to_the_discipline_body_alone(ctx: CaseworkContext) -> None:
    lead, co, route, kind = handlers_for(ctx, decision("housing", ["urban-management"], kind=PetitionKind.report))
    assert (lead, co, route, kind) == ("discipline-inspection", [], None, PetitionKind.report)


def test_litigation_goes_to_the_named_legal_body_or_to_the_justice_bureau(ctx: CaseworkContext) -> None:
    lead, co, route, _ = handlers_for(ctx, decision("housing", ["court"], track=Track.litigation, kind=None))
    assert (lead, co, route) == ("court", [], "civil_litigation")
    lead, _, route, _ = handlers_for(ctx, decision("housing", [], track=Track.litigation, kind=None))
    assert (lead, route) == ("justice", "administrative_reconsideration")


def test_a_petition_without_kind_follows_the_full_claim_procedure(ctx: CaseworkContext) -> None:
    lead, co, _, kind = handlers_for(ctx, decision("housing", ["water", "housing"], kind=None))
    assert (lead, co, kind) == ("housing", ["water"], PetitionKind.claim)


def test_unknown_departments_are_dead_lettered(ctx: CaseworkContext) -> None:
    with pytest.raises(PermanentError, match="no-such-office"):
        handlers_for(ctx, decision("no-such-office", []))
