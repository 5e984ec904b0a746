"""The grievance as filed is declared once (FiledGrievance): what departments see and what
casework keeps extend it, and GrievanceReceived carries the same fields in its own wire order."""

from __future__ import annotations

from datetime import UTC, datetime

from services.casework.domain.case import GrievanceSnapshot
from shared.events.contracts import ComplainantView, FiledGrievance, GrievanceReceived
from shared.events.department import GrievanceForDepartment
from shared.events.vocabulary import Channel

RECEIVED = GrievanceReceived(
    grievance_id="g-1",
    tracking_no="GM-20260302-000001",
    tracking_token_hash="0" * 64,
    channel=Channel.portal,
    received_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    title="小区门口积水严重",
    content="每次下雨门口积水到小腿。",
    street="马田街道",
    community="将石",
    address="将石社区二巷",
    respondent="马田街道办",
    desired_outcome="疏通排水沟",
    attachments=["https://files.example.org/photo-1.jpg"],
    complainant=ComplainantView(name_masked="陈**"),
)


def test_the_received_event_declares_every_filed_field_with_its_default() -> None:
    received = GrievanceReceived.model_fields
    for name, field in FiledGrievance.model_fields.items():
        assert name in received, name
        assert received[name].is_required() == field.is_required(), name
        if not field.is_required():
            assert received[name].get_default(call_default_factory=True) == field.get_default(
                call_default_factory=True
            ), name
        # The event may narrow a type (the channel is one of the Channel values), never widen it.
        if name != "channel":
            assert received[name].annotation == field.annotation, name


def test_the_extensions_start_with_the_filed_fields() -> None:
    filed = list(FiledGrievance.model_fields)
    for extension in (GrievanceForDepartment, GrievanceSnapshot):
        assert issubclass(extension, FiledGrievance)
        assert list(extension.model_fields)[: len(filed)] == filed


def test_the_filed_fields_carry_over_from_the_received_event() -> None:
    snapshot = GrievanceSnapshot(**FiledGrievance.fields_of(RECEIVED), complainant_name_masked="陈**")
    view = GrievanceForDepartment(**FiledGrievance.fields_of(snapshot), complainant_name_masked="陈**")
    for name in FiledGrievance.model_fields:
        assert getattr(view, name) == getattr(snapshot, name) == getattr(RECEIVED, name), name
    assert type(view.channel) is str and view.channel == "portal"
    # Mutable like the rest of the case aggregate.
    snapshot.title = "积水"
    assert snapshot.title == "积水"
