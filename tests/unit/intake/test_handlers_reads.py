"""Reading what intake holds, against in-memory repositories: the citizen's record behind the
token, the audited contact read, the complainant look-up, and the status read model the
``grievance.status`` consumer keeps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.intake.consumers import bind
from services.intake.domain.complainant import ComplainantIdentity
from services.intake.domain.retention import PURGED_NAME
from services.intake.handlers.context import IntakeContext
from services.intake.handlers.lookups import complainant_grievances, grievance_status
from services.intake.handlers.open311 import find_request
from services.intake.handlers.records import read_contact, read_grievance, read_grievance_for_staff
from services.intake.handlers.status import record_status
from services.intake.handlers.submission import SubmitResult, submit_grievance
from services.intake.schemas import ComplainantLookup
from shared.clock import ManualClock
from shared.events.contracts import GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import Channel, Status
from shared.problems import Problem
from tests.unit.intake.conftest import ID_CARD, MOBILE, NOW, REGISTRAR, make_context, portal_command, refusal
from tests.unit.intake.fakes import FakeIntakeUow, FakeUnits, MemoryStore


async def file(units: FakeUnits, ctx: IntakeContext, **changes: object) -> SubmitResult:
    async with units() as uow:
        return await submit_grievance(uow=uow, ctx=ctx, command=portal_command(**changes))


def status_event(result: SubmitResult, status: Status, minutes: int) -> GrievanceStatusChanged:
    return GrievanceStatusChanged(
        grievance_id=result.accepted.grievance_id,
        tracking_no=result.accepted.tracking_no,
        status=status,
        stage="casework",
        message_zh=f"状态：{status.value}",
        actor="光明区住房和建设局",
        occurred_at=NOW + timedelta(minutes=minutes),
    )


async def test_the_citizen_reads_the_masked_record_only_with_the_right_token(
    units: FakeUnits, ctx: IntakeContext
) -> None:
    filed = (await file(units, ctx)).accepted
    async with units() as uow:
        record = await read_grievance(uow=uow, tracking_no=filed.tracking_no, token=filed.tracking_token)
    assert record.complainant.mobile_masked == "138****5678" and MOBILE not in record.content
    for token in ("wrong-token", None):
        with pytest.raises(Problem) as refused:
            async with units() as uow:
                await read_grievance(uow=uow, tracking_no=filed.tracking_no, token=token)
        assert refusal(refused.value) == (404, "grievance-not-found")


async def test_the_contact_read_decrypts_for_a_call_back_and_audits_the_purpose_masked(
    units: FakeUnits, ctx: IntakeContext, store: MemoryStore
) -> None:
    filed = (await file(units, ctx)).accepted
    async with units() as uow:
        contact = await read_contact(
            uow=uow, ctx=ctx, tracking_no=filed.tracking_no, staff=REGISTRAR, purpose=f"回访，对方留的 {MOBILE}"
        )
    assert (contact.name, contact.mobile, contact.id_card) == ("陈建国", MOBILE, ID_CARD)
    assert MOBILE in contact.free_text_originals["content"]
    [audited] = store.audit
    assert audited["action"] == "read_contact" and audited["grievance_id"] == filed.grievance_id
    assert MOBILE not in audited["detail"]["purpose"] and "138****5678" in audited["detail"]["purpose"]


async def test_the_contact_of_a_purged_complainant_is_gone_with_410_and_an_unknown_number_is_404(
    units: FakeUnits, ctx: IntakeContext, store: MemoryStore
) -> None:
    filed = (await file(units, ctx)).accepted
    async with units() as uow:
        await uow.personal_data.erase([filed.grievance_id], purged_at=NOW, name_placeholder=PURGED_NAME)
        await uow.commit()
    for tracking_no, expected in (
        (filed.tracking_no, (410, "personal-data-purged")),
        ("GM-0", (404, "grievance-not-found")),
    ):
        with pytest.raises(Problem) as refused:
            async with units() as uow:
                await read_contact(uow=uow, ctx=ctx, tracking_no=tracking_no, staff=REGISTRAR, purpose="回访")
        assert refusal(refused.value) == expected
    assert store.audit == [], "a refused read is not audited as a read"


async def test_staff_reading_the_masked_record_is_audited(
    units: FakeUnits, ctx: IntakeContext, store: MemoryStore
) -> None:
    filed = (await file(units, ctx)).accepted
    async with units() as uow:
        record = await read_grievance_for_staff(uow=uow, tracking_no=filed.tracking_no, staff=REGISTRAR)
    assert record.tracking_no == filed.tracking_no
    assert [(row["action"], row["detail"]) for row in store.audit] == [
        ("read_grievance", {"tracking_no": filed.tracking_no})
    ]


async def test_the_complainant_look_up_finds_earlier_filings_under_every_pseudonym_key_newest_first(
    units: FakeUnits, store: MemoryStore
) -> None:
    old_key, new_key = "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=", "MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjI="
    before = make_context(pii_pseudonym_keys={"1": old_key}, pii_pseudonym_key_id="1")
    a_day_later = ManualClock(NOW + timedelta(days=1))
    after = make_context(a_day_later, pii_pseudonym_keys={"1": old_key, "2": new_key}, pii_pseudonym_key_id="2")
    first = await file(units, before)
    someone_else = ComplainantIdentity(name="王五", mobile="13900000000", id_card=None, anonymous=False)
    await file(units, before, identity=someone_else)
    second = await file(units, after, identity=ComplainantIdentity("陈建国", MOBILE, None, False))

    async with units() as uow:
        found = await complainant_grievances(
            uow=uow, ctx=after, staff=REGISTRAR, lookup=ComplainantLookup(mobile=MOBILE, id_card=ID_CARD)
        )
    assert found.total == 2
    assert [g.tracking_no for g in found.grievances] == [second.accepted.tracking_no, first.accepted.tracking_no]
    assert [g.matched_on for g in found.grievances] == [["mobile"], ["id_card", "mobile"]]
    [audited] = store.audit
    assert audited["detail"] == {"id_card": "110105********002X", "mobile": "138****5678", "found": 2}


async def test_the_status_read_model_keeps_the_newest_status_and_folds_it_to_open_or_closed(
    units: FakeUnits, ctx: IntakeContext
) -> None:
    filed = await file(units, ctx)
    async with units() as uow:
        before = await grievance_status(uow=uow, tracking_no=filed.accepted.tracking_no)
    assert before.status is None and not before.closed

    handle = bind(ctx)[GrievanceStatusChanged.event_type]
    for status, minutes in ((Status.closed, 10), (Status.rated, 20), (Status.accepted, 5)):
        event = CloudEvent(
            type=GrievanceStatusChanged.event_type,
            source="/grievance-platform/casework",
            subject=filed.accepted.grievance_id,
            data=status_event(filed, status, minutes).model_dump(mode="json"),
        )
        async with units() as uow:
            await handle(event, uow)
            await uow.commit()
    async with units() as uow:
        now = await grievance_status(uow=uow, tracking_no=filed.accepted.tracking_no)
    # A rating after the answer leaves it closed; the late, older "accepted" changes nothing.
    assert (now.status, now.closed, now.updated_at) == ("rated", True, NOW + timedelta(minutes=20))
    async with units() as uow:
        assert not await record_status(uow=uow, status=status_event(filed, Status.reopened, 15))
        assert await record_status(uow=uow, status=status_event(filed, Status.reopened, 30))
        await uow.commit()
    async with units() as uow:
        assert not (await grievance_status(uow=uow, tracking_no=filed.accepted.tracking_no)).closed
    with pytest.raises(Problem) as unknown:
        async with units() as uow:
            await grievance_status(uow=uow, tracking_no="GM-20261126-999999")
    assert refusal(unknown.value) == (404, "grievance-not-found")


async def test_an_open311_request_shows_where_it_stands_and_other_channels_are_not_open311_requests(
    units: FakeUnits, ctx: IntakeContext
) -> None:
    open311 = await file(units, ctx, channel=Channel.open311, category_hint="环境保护")
    portal = await file(units, ctx)
    async with units() as uow:
        await record_status(uow=uow, status=status_event(open311, Status.closed, 1))
        await uow.commit()
    async with units() as uow:
        row = await find_request(uow=uow, tracking_no=open311.accepted.tracking_no)
        assert await find_request(uow=uow, tracking_no=portal.accepted.tracking_no) is None
    assert row is not None and row.closed and row.category_hint == "环境保护"


def test_the_fake_unit_of_work_refuses_a_use_case_that_reaches_for_sql() -> None:
    with pytest.raises(AssertionError):
        _ = FakeIntakeUow().session
