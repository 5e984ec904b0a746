"""The router's status messages per track: on the mediation track it names no mediator, because
who mediates is mediation's decision and its "mediation opened" message names them."""

from __future__ import annotations

import pytest

from services.router.domain import messages
from shared.catalog import load_catalog
from shared.events.contracts import Departments, RoutingDecision
from shared.events.vocabulary import Area, PetitionKind, Track

NAMES = {d.code: d.name for d in load_catalog().departments.values()}


def decision(track: Track, *, lead: str = "housing", co: list[str] | None = None) -> RoutingDecision:
    return RoutingDecision(
        track=track,
        petition_kind=PetitionKind.claim if track is Track.petition else None,
        area=Area.urban_rural_construction,
        departments=Departments(lead=lead, co=co or []),
        confidence=0.9,
    )


@pytest.mark.parametrize("reviewed", [False, True])
def test_mediation_message_names_no_mediator(reviewed: bool) -> None:
    message = messages.classified_message(
        decision(Track.mediation, co=["street-guangming"]), NAMES, repeat_tracking_no=None, reviewed=reviewed
    )
    assert "矛盾纠纷调解" in message
    assert "调解组织将与您联系" in message
    assert NAMES["housing"] not in message
    assert NAMES["street-guangming"] not in message
    assert "组织调解" not in message


def test_petition_and_litigation_messages_still_name_the_handling_body() -> None:
    petition = messages.classified_message(decision(Track.petition), NAMES, repeat_tracking_no=None, reviewed=False)
    assert NAMES["housing"] in petition and "15日内" in petition
    court = next(d for d in load_catalog().departments.values() if d.kind != "department")
    litigation = messages.classified_message(
        decision(Track.litigation, lead=court.code), NAMES, repeat_tracking_no=None, reviewed=False
    )
    assert court.name in litigation and "第二十二条" in litigation


@pytest.mark.parametrize("reason", ["mediation_failed", "mediation_refused"])
def test_reroute_after_mediation_cites_no_mediation_law_and_names_no_mediator(reason: str) -> None:
    # The router does not know whether it was people's, administrative or judicial mediation.
    message = messages.reroute_message(reason, decision(Track.petition), NAMES)
    assert "人民调解法" not in message
    assert "其他途径维护权利" in message
    assert NAMES["housing"] in message
