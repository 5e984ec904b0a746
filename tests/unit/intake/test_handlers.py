"""Filing a grievance on every channel, against in-memory repositories: what is stored (encrypted
identity, masked free text with encrypted originals), what is published (grievance.received and
the citizen's first status, in one transaction) and the refusals that change nothing."""

from __future__ import annotations

import pytest

from services.intake.domain.complainant import ComplainantIdentity
from services.intake.domain.free_text import associated_data
from services.intake.handlers.context import IntakeContext
from services.intake.handlers.replays import Replay
from services.intake.handlers.submission import SubmitGrievance, register_grievance, submit_grievance
from services.intake.open311.forms import Open311Request, derive_title
from shared.events.contracts import GrievanceReceived, GrievanceStatusChanged
from shared.events.topics import GRIEVANCE_RECEIVED, GRIEVANCE_STATUS
from shared.events.vocabulary import Channel, Status
from shared.pii import pseudonym, tokens_match
from shared.problems import Problem
from tests.unit.intake.conftest import ID_CARD, MOBILE, NOW, REGISTRAR, data_of, make_context, portal_command, refusal
from tests.unit.intake.fakes import FakeIntakeUow, MemoryStore


async def test_a_portal_filing_stores_the_identity_encrypted_and_publishes_received_then_status(
    uow: FakeIntakeUow, ctx: IntakeContext, store: MemoryStore
) -> None:
    async with uow:
        result = await submit_grievance(uow=uow, ctx=ctx, command=portal_command())
    accepted = result.accepted
    assert not result.replayed and accepted.tracking_no == "GM-20261126-000001"
    assert accepted.tracking_token and "2026年12月11日" in accepted.message_zh  # §22: 15 days, Beijing time

    [grievance] = store.grievances.values()
    assert grievance.id == accepted.grievance_id and grievance.received_at == NOW
    assert tokens_match(accepted.tracking_token, grievance.tracking_token_hash)
    # The number typed into the content is masked in the record; the original is kept encrypted.
    assert MOBILE not in grievance.content and "138****5678" in grievance.content
    originals = store.originals[grievance.id]
    assert list(originals) == ["content"]
    assert MOBILE in ctx.cipher.decrypt(originals["content"], field=associated_data("content"))

    sealed = store.complainants[grievance.id]
    assert ctx.cipher.decrypt(sealed.mobile_encrypted or b"", field="mobile") == MOBILE
    assert ctx.cipher.decrypt(sealed.id_card_encrypted or b"", field="id_card") == ID_CARD
    assert MOBILE.encode() not in (sealed.mobile_encrypted or b"")
    assert (sealed.name_masked, sealed.mobile_masked) == ("陈**", "138****5678")
    assert sealed.mobile_pseudonym == pseudonym(ctx.settings.pseudonym_key, "mobile", MOBILE)

    # One transaction: both events were published on its commit, in this order, keyed by the grievance.
    assert uow.commits == 1
    assert [(topic, e.type) for topic, e in uow.events] == [
        (GRIEVANCE_RECEIVED, GrievanceReceived.event_type),
        (GRIEVANCE_STATUS, GrievanceStatusChanged.event_type),
    ]
    assert {e.subject for _, e in uow.events} == {grievance.id}
    received = GrievanceReceived.model_validate(data_of(uow.events[0][1]))
    assert received.complainant.phone_masked == "138****5678" and MOBILE not in str(data_of(uow.events[0][1]))
    status = GrievanceStatusChanged.model_validate(data_of(uow.events[1][1]))
    assert status.status is Status.received and status.due_at is not None and status.actor == "光明区信访局"


async def test_a_registrar_files_an_anonymous_visit_under_the_bureau_office_and_it_is_audited(
    uow: FakeIntakeUow, ctx: IntakeContext, store: MemoryStore
) -> None:
    anonymous = ComplainantIdentity(name=None, mobile=None, id_card=None, anonymous=True)
    async with uow:
        await register_grievance(
            uow=uow, ctx=ctx, staff=REGISTRAR, command=portal_command(identity=anonymous, channel=Channel.walk_in)
        )
    [grievance] = store.grievances.values()
    assert grievance.channel == "walk_in" and grievance.registered_by == "registrar"
    assert store.complainants[grievance.id].name_masked == "匿名"
    assert [(row["actor"], row["action"]) for row in store.audit] == [("staff-7", "register_grievance")]
    received = GrievanceReceived.model_validate(data_of(uow.events[0][1]))
    assert received.complainant.anonymous and received.complainant.phone_pseudonym is None
    assert received.registered_by == "registrar"


async def test_an_open311_request_without_a_phone_keeps_the_email_encrypted_and_the_area_as_a_hint(
    uow: FakeIntakeUow, ctx: IntakeContext, store: MemoryStore
) -> None:
    filed = Open311Request.from_form(
        {
            "service_code": "environmental_protection",
            "description": "工厂夜间排放刺鼻气味，附近居民无法开窗。",
            "lat": "22.75",
            "long": "113.93",
        }
        | {"email": "li@example.org", "first_name": "四", "last_name": "李"}
    )
    command = SubmitGrievance(
        identity=filed.identity(),
        channel=Channel.open311,
        title=derive_title(filed.description),
        content=filed.description,
        street=None,
        community=None,
        category_hint=filed.category_hint(),
        latitude=filed.lat,
        longitude=filed.long,
    )
    async with uow:
        result = await submit_grievance(uow=uow, ctx=ctx, command=command)
    grievance = store.grievances[result.accepted.grievance_id]
    assert (grievance.category_hint, grievance.latitude, grievance.title) == (
        "环境保护",
        22.75,
        "工厂夜间排放刺鼻气味，附近居民无法开窗",
    )
    sealed = store.complainants[grievance.id]
    assert sealed.mobile_encrypted is None and sealed.email_masked is not None
    assert ctx.cipher.decrypt(sealed.email_encrypted or b"", field="email") == "li@example.org"
    assert uow.event_types()[0] == GrievanceReceived.event_type


async def test_an_idempotency_key_replays_the_first_answer_and_files_nothing_more(
    ctx: IntakeContext, store: MemoryStore
) -> None:
    replay = Replay("idempotency", "portal:k-1", "hash-1")
    first, again = FakeIntakeUow(store), FakeIntakeUow(store)
    async with first:
        original = await submit_grievance(uow=first, ctx=ctx, command=portal_command(), replay=replay)
    async with again:
        repeated = await submit_grievance(uow=again, ctx=ctx, command=portal_command(), replay=replay)
    assert repeated.replayed and repeated.accepted == original.accepted  # the token too: it is the citizen's
    assert len(store.grievances) == 1 and again.events == []
    # The stored answer is encrypted: the token is not in the database in clear.
    assert (original.accepted.tracking_token or "-").encode() not in (
        store.keys["portal:k-1"].response_encrypted or b""
    )


async def test_a_reused_idempotency_key_or_one_still_held_is_refused_and_changes_nothing(
    ctx: IntakeContext, store: MemoryStore
) -> None:
    async with FakeIntakeUow(store) as first:
        await submit_grievance(uow=first, ctx=ctx, command=portal_command(), replay=Replay("idempotency", "k", "h1"))
    other = FakeIntakeUow(store)
    with pytest.raises(Problem) as reused:
        async with other:
            await submit_grievance(
                uow=other, ctx=ctx, command=portal_command(), replay=Replay("idempotency", "k", "h2")
            )
    assert refusal(reused.value) == (422, "idempotency-key-reused")

    holder, racer = FakeIntakeUow(store), FakeIntakeUow(store)
    async with holder:
        await holder.idempotency_keys.hold("busy")
        with pytest.raises(Problem) as busy:
            async with racer:
                await submit_grievance(
                    uow=racer, ctx=ctx, command=portal_command(), replay=Replay("idempotency", "busy", "h")
                )
        assert refusal(busy.value) == (409, "request-in-progress")
    assert len(store.grievances) == 1 and other.events == [] and racer.events == []


async def test_a_webhook_delivered_again_is_answered_without_the_token_and_a_new_body_under_its_id_is_refused(
    ctx: IntakeContext, store: MemoryStore
) -> None:
    command = portal_command(channel=Channel.minyi, external_ref="SZ-2026-1")
    async with FakeIntakeUow(store) as first:
        original = await submit_grievance(uow=first, ctx=ctx, command=command, replay=Replay("webhook", "msg_1", "b1"))
    assert original.accepted.tracking_token
    async with FakeIntakeUow(store) as again:
        repeated = await submit_grievance(uow=again, ctx=ctx, command=command, replay=Replay("webhook", "msg_1", "b1"))
    assert repeated.replayed and repeated.accepted.tracking_token is None
    assert repeated.accepted.tracking_no == original.accepted.tracking_no and again.events == []

    with pytest.raises(Problem) as reused:
        async with FakeIntakeUow(store) as changed:
            await submit_grievance(uow=changed, ctx=ctx, command=command, replay=Replay("webhook", "msg_1", "b2"))
    assert refusal(reused.value) == (422, "webhook-id-reused")
    assert len(store.grievances) == 1


async def test_a_partner_case_filed_twice_under_new_webhook_ids_is_refused_with_its_tracking_number(
    ctx: IntakeContext, store: MemoryStore
) -> None:
    command = portal_command(channel=Channel.minyi, external_ref="SZ-2026-2")
    async with FakeIntakeUow(store) as first:
        original = await submit_grievance(uow=first, ctx=ctx, command=command, replay=Replay("webhook", "msg_a", "b"))
    duplicate = FakeIntakeUow(store)
    with pytest.raises(Problem) as refused:
        async with duplicate:
            await submit_grievance(uow=duplicate, ctx=ctx, command=command, replay=Replay("webhook", "msg_b", "b"))
    assert refusal(refused.value) == (409, "duplicate-external-case")
    assert original.accepted.tracking_no in (refused.value.detail or "")
    # Rolled back: the second webhook-id's receipt is not kept, so a corrected retry can use it.
    assert set(store.receipts) == {"msg_a"} and duplicate.events == [] and len(store.grievances) == 1


async def test_during_a_pseudonym_key_rotation_the_received_event_carries_the_retiring_pseudonyms_too(
    uow: FakeIntakeUow,
) -> None:
    old, new = "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=", "MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjI="
    rotating = make_context(pii_pseudonym_keys={"1": old, "2": new}, pii_pseudonym_key_id="2")
    async with uow:
        await submit_grievance(uow=uow, ctx=rotating, command=portal_command())
    received = GrievanceReceived.model_validate(data_of(uow.events[0][1]))
    assert received.complainant.phone_pseudonym == pseudonym(b"2" * 32, "mobile", MOBILE)
    assert received.complainant.previous_phone_pseudonyms == [pseudonym(b"1" * 32, "mobile", MOBILE)]
