"""The taxonomy fields are an additive change within v1: payloads published before them still
parse, and the new fields survive a JSON round trip on every event that carries the area."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.events.contracts import GrievanceRouted, RoutingDecision, UrgentAlertRaised
from shared.events.department import DepartmentAction, DepartmentCaseChanged, MediationNotice
from shared.events.vocabulary import Area, Track

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
OLD_ROUTED: dict[str, Any] = {
    "grievance_id": "g-1",
    "tracking_no": "GM-20261206-000001",
    "revision": 1,
    "routed_at": NOW.isoformat(),
    "decision": {
        "track": "petition",
        "petition_kind": "claim",
        "area": "城乡建设",
        "departments": {"lead": "housing", "co": ["street-guangming"]},
        "confidence": 0.8,
    },
}


def test_a_decision_published_before_the_taxonomy_still_parses() -> None:
    routed = GrievanceRouted.model_validate(OLD_ROUTED)
    assert routed.decision.area is Area.urban_rural_construction
    assert (routed.decision.category, routed.decision.item, routed.decision.model_version) == (None, None, None)


def test_the_new_fields_round_trip_and_newer_unknown_fields_are_ignored() -> None:
    data = {**OLD_ROUTED, "decision": {**OLD_ROUTED["decision"], "category": "城市建设和市政管理",
            "item": "电力供应", "model_version": "20261206-abc", "a_field_from_v1_2": 1}}  # fmt: skip
    routed = GrievanceRouted.model_validate(data)
    again = GrievanceRouted.model_validate_json(routed.model_dump_json())
    assert again == routed
    assert (again.decision.category, again.decision.item, again.decision.model_version) == (
        "城市建设和市政管理",
        "电力供应",
        "20261206-abc",
    )


def test_alerts_and_department_payloads_carry_the_category() -> None:
    alert = UrgentAlertRaised(
        grievance_id="g-1", tracking_no="GM-1", signals=["gas_leak"], area=Area.urban_rural_construction,
        category="城市建设和市政管理", summary="燃气泄漏", raised_at=NOW,
    )  # fmt: skip
    assert UrgentAlertRaised.model_validate_json(alert.model_dump_json()).category == "城市建设和市政管理"
    old_alert = alert.model_dump(mode="json", exclude={"category"})
    assert UrgentAlertRaised.model_validate(old_alert).category is None

    case = DepartmentCaseChanged(
        grievance_id="g-1", tracking_no="GM-1", department="power-supply", department_name="供电局", role="lead",
        action=DepartmentAction.assigned, track=Track.petition, state="assigned", revision=1,
        lead_department="power-supply", message_zh="新分派", case_url="http://casework/v1/cases/g-1", occurred_at=NOW,
        area=Area.urban_rural_construction, category="城市建设和市政管理", item="电力供应",
    )  # fmt: skip
    parsed = DepartmentCaseChanged.model_validate_json(case.model_dump_json())
    assert (parsed.area, parsed.category, parsed.item) == (
        Area.urban_rural_construction,
        "城市建设和市政管理",
        "电力供应",
    )
    assert DepartmentCaseChanged.model_validate(case.model_dump(mode="json", exclude={"area", "category", "item"}))

    notice = MediationNotice(
        grievance_id="g-1", tracking_no="GM-1", mediation_id="m-1", notice="opened", mediation_type="people",
        dispute_kind="neighbour", office="street-guangming", summary_zh="新调解案件", occurred_at=NOW,
        area=Area.urban_rural_construction, category="住房保障与房地产",
    )  # fmt: skip
    assert MediationNotice.model_validate_json(notice.model_dump_json()).category == "住房保障与房地产"
    assert MediationNotice.model_validate(notice.model_dump(mode="json", exclude={"area", "category"})).area is None


def test_a_decision_without_review_fields_defaults_to_the_classifier() -> None:
    decision = RoutingDecision.model_validate(OLD_ROUTED["decision"])
    assert decision.decided_by == "classifier" and decision.category is None
