"""The citizen-status builder makes the payload every service used to build by hand: the
service's detail keys first, the step's after and over them, documents as a list."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.events.citizen_status import citizen_status
from shared.events.contracts import DocumentRef, GrievanceStatusChanged
from shared.events.envelope import encode_data
from shared.events.vocabulary import Status

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NOTICE = DocumentRef(kind="acceptance_notice", title="受理告知书", url="https://example.org/d/1")


def test_the_payload_is_the_one_built_by_hand_before() -> None:
    built = citizen_status(
        grievance_id="g-1",
        tracking_no="GM-20260302-000001",
        status=Status.accepted,
        stage="casework",
        message_zh="您的诉求已受理。",
        actor="光明区住房和建设局",
        occurred_at=NOW,
        due_at=NOW,
        documents=iter([NOTICE]),
        detail={"state": "accepted", "revision": 1},
        extra={"kind": "claim"},
    )
    by_hand = GrievanceStatusChanged(
        grievance_id="g-1",
        tracking_no="GM-20260302-000001",
        status=Status.accepted,
        stage="casework",
        message_zh="您的诉求已受理。",
        detail={"state": "accepted", "revision": 1, "kind": "claim"},
        actor="光明区住房和建设局",
        due_at=NOW,
        documents=[NOTICE],
        occurred_at=NOW,
    )
    # The bytes on the wire, key order included.
    assert encode_data(built.model_dump(mode="json")) == encode_data(by_hand.model_dump(mode="json"))


def test_the_step_detail_comes_after_and_over_the_service_detail() -> None:
    built = citizen_status(
        grievance_id="g-1",
        tracking_no="GM-20260302-000001",
        status=Status.closed,
        stage="litigation",
        message_zh="办结。",
        actor="光明区人民法院",
        occurred_at=NOW,
        detail={"state": "in_progress", "revision": 2},
        extra={"state": "closed", "outcome": "judgment"},
    )
    assert list(built.detail.items()) == [("state", "closed"), ("revision", 2), ("outcome", "judgment")]
    assert built.documents == [] and built.due_at is None


def test_without_detail_the_detail_is_empty() -> None:
    built = citizen_status(
        grievance_id="g-1",
        tracking_no="GM-20260302-000001",
        status=Status.rated,
        stage="feedback",
        message_zh="感谢您的评价。",
        actor="光明区信访局",
        occurred_at=NOW,
    )
    assert built.detail == {}
    assert GrievanceStatusChanged.model_validate(built.model_dump(mode="json")) == built
