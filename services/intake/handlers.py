"""Intake use cases: register a grievance (any channel), look it up, read the contact data.

Registration masks personal numbers in the free text (keeping encrypted originals), then writes
the grievance, the encrypted identity, the ``grievance.received`` event and the citizen's first
status event in one transaction; the relay publishes the events afterwards.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.intake import db, free_text
from services.intake.domain import (
    ANONYMOUS_NAME,
    ComplainantIdentity,
    assign_due,
    new_tracking_token,
    received_message,
    tracking_number,
)
from services.intake.metrics import count_submission
from services.intake.schemas import (
    GrievanceAccepted,
    MinyiCaseAccepted,
)
from services.intake.settings import Settings
from shared.clock import Clock
from shared.db.uow import UnitOfWork
from shared.events.citizen_status import citizen_status
from shared.events.contracts import ComplainantView, GrievanceReceived
from shared.events.vocabulary import Channel, Status
from shared.idempotency import RequestInFlight, check_same_request, hold_key
from shared.pii import FieldCipher, mask_email, mask_id_card, mask_mobile, mask_name, pseudonym, token_hash
from shared.problems import Problem

# Built once: statements with bound parameters compile once and hit SQLAlchemy's cache.
INSERT_GRIEVANCE = insert(db.grievance)
INSERT_COMPLAINANT = insert(db.complainant)
NEXT_TRACKING_NUMBER = select(db.tracking_sequence.next_value())


@dataclass(frozen=True, slots=True)
class IntakeContext:
    settings: Settings
    cipher: FieldCipher
    clock: Clock


@dataclass(frozen=True, slots=True)
class SubmitGrievance:
    """Command: register one grievance as filed through ``channel``."""

    identity: ComplainantIdentity
    channel: Channel
    title: str
    content: str
    street: str | None
    community: str | None
    address_detail: str | None = None
    respondent: str | None = None
    desired_outcome: str | None = None
    attachments: list[str] = field(default_factory=list)
    external_ref: str | None = None
    registered_by: str | None = None
    category_hint: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address_id: str | None = None


@dataclass(frozen=True, slots=True)
class Replay:
    """Where an earlier answer to the same request is remembered (Idempotency-Key, webhook-id)."""

    table: str  # "idempotency" or "webhook"
    key: str
    request_hash: str


@dataclass(frozen=True, slots=True)
class SubmitResult:
    accepted: GrievanceAccepted | MinyiCaseAccepted
    replayed: bool


def replay_associated_data(key: str) -> str:
    """What binds a remembered answer's ciphertext to its Idempotency-Key or webhook-id."""
    return f"replay:{key}"


def request_fingerprint(body: Any) -> str:
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def submit_grievance(
    *, uow: UnitOfWork, ctx: IntakeContext, command: SubmitGrievance, replay: Replay | None = None
) -> SubmitResult:
    if replay is not None:
        earlier = await _claim_or_recall(uow, ctx, replay)
        if earlier is not None:
            return SubmitResult(accepted=earlier, replayed=True)
    if command.external_ref is not None:
        await _refuse_known_external_ref(uow, command)

    now = ctx.clock.now()
    grievance_id = str(uuid.uuid4())
    sequence = await uow.session.scalar(NEXT_TRACKING_NUMBER)
    tracking_no = tracking_number(ctx.settings.tracking_prefix, now, int(sequence or 0))
    token = new_tracking_token()
    command, originals = _masked(command)
    identity = command.identity.normalised()
    view = with_previous_pseudonyms(identity, identity.view(ctx.settings.pseudonym_key), ctx.settings)

    await uow.session.execute(
        INSERT_GRIEVANCE,
        dict(
            id=grievance_id,
            tracking_no=tracking_no,
            tracking_token_hash=token_hash(token),
            channel=command.channel.value,
            title=command.title,
            content=command.content,
            street=command.street,
            community=command.community,
            address_detail=command.address_detail,
            respondent=command.respondent,
            desired_outcome=command.desired_outcome,
            attachments=command.attachments,
            external_ref=command.external_ref,
            registered_by=command.registered_by,
            received_at=now,
            latitude=command.latitude,
            longitude=command.longitude,
            address_id=command.address_id,
            category_hint=command.category_hint,
        ),
    )
    cipher = ctx.cipher
    await uow.session.execute(
        INSERT_COMPLAINANT,
        dict(
            grievance_id=grievance_id,
            name_encrypted=cipher.encrypt(identity.name, field="name") if identity.name else None,
            mobile_encrypted=cipher.encrypt(identity.mobile, field="mobile") if identity.mobile else None,
            id_card_encrypted=cipher.encrypt(identity.id_card, field="id_card") if identity.id_card else None,
            email_encrypted=cipher.encrypt(identity.email, field="email") if identity.email else None,
            # Staff screens show masked values even for anonymous filings; the events do not.
            name_masked=mask_name(identity.name) if identity.name else ANONYMOUS_NAME,
            mobile_masked=mask_mobile(identity.mobile) if identity.mobile else None,
            id_card_masked=mask_id_card(identity.id_card) if identity.id_card else None,
            email_masked=mask_email(identity.email) if identity.email else None,
            mobile_pseudonym=view.phone_pseudonym,
            id_card_pseudonym=view.id_card_pseudonym,
            pseudonym_key_id=ctx.settings.pii_pseudonym_key_id,
            anonymous=identity.anonymous,
        ),
    )

    await free_text.store_originals(uow, cipher, grievance_id, originals)

    received = GrievanceReceived(
        grievance_id=grievance_id,
        tracking_no=tracking_no,
        tracking_token_hash=token_hash(token),
        channel=command.channel,
        received_at=now,
        title=command.title,
        content=command.content,
        street=command.street,
        community=command.community,
        address=command.address_detail,
        respondent=command.respondent,
        desired_outcome=command.desired_outcome,
        attachments=command.attachments,
        complainant=view,
        external_ref=command.external_ref,
        registered_by=command.registered_by,
        category_hint=command.category_hint,
    )
    await uow.publish(received, subject=grievance_id)
    due = assign_due(now)
    await uow.publish(
        citizen_status(
            grievance_id=grievance_id,
            tracking_no=tracking_no,
            status=Status.received,
            stage="intake",
            message_zh=received_message(tracking_no, due),
            detail={"channel": command.channel.value},
            actor="光明区信访局",
            due_at=due,
            occurred_at=now,
        ),
        subject=grievance_id,
    )
    accepted = GrievanceAccepted(
        grievance_id=grievance_id,
        tracking_no=tracking_no,
        tracking_token=token,
        received_at=now,
        message_zh=received_message(tracking_no, due),
    )
    if replay is not None:
        await _remember(uow, ctx, replay, grievance_id, accepted)
    await uow.commit()
    count_submission(command.channel)
    return SubmitResult(accepted=accepted, replayed=False)


def with_previous_pseudonyms(
    identity: ComplainantIdentity, view: ComplainantView, settings: Settings
) -> ComplainantView:
    """During a pseudonym-key rotation, the pseudonyms under the keys being retired as well: the
    router matches them against grievances it has not yet seen rotated (docs/operations.md)."""
    keys = settings.previous_pseudonym_keys
    if not keys:
        return view
    me = identity.normalised()
    return view.model_copy(
        update={
            "previous_phone_pseudonyms": [pseudonym(key, "mobile", me.mobile) for key in keys] if me.mobile else [],
            "previous_id_card_pseudonyms": [pseudonym(key, "id_card", me.id_card) for key in keys]
            if me.id_card
            else [],
        }
    )


def _masked(command: SubmitGrievance) -> tuple[SubmitGrievance, dict[str, str]]:
    """The command with personal numbers in its free text masked, and the changed originals."""
    masked, originals = free_text.mask_fields({name: getattr(command, name) for name in free_text.FREE_TEXT_FIELDS})
    return replace(command, **masked), originals  # type: ignore[arg-type]


async def _claim_or_recall(
    uow: UnitOfWork, ctx: IntakeContext, replay: Replay
) -> GrievanceAccepted | MinyiCaseAccepted | None:
    """Hold the key for this request, or return the answer given to the first request with it.

    The rule is shared.idempotency's: a concurrent request holding the same key is refused (409),
    so two simultaneous requests with one key never create two grievances.
    """
    if replay.table == "webhook":
        return await _claim_or_recall_webhook(uow, ctx, replay)
    if replay.table != "idempotency":
        raise ValueError(f"unknown replay table {replay.table!r}")
    table = db.idempotency_key
    await hold_key(uow.session, namespace=table.fullname, key=replay.key)
    await uow.session.execute(delete(table).where(table.c.key == replay.key, table.c.expires_at < ctx.clock.now()))
    row = (
        await uow.session.execute(
            select(table.c.request_hash, table.c.response_encrypted).where(table.c.key == replay.key)
        )
    ).first()
    if row is None:
        return None
    check_same_request(row.request_hash, replay.request_hash)
    if row.response_encrypted is None:
        raise RequestInFlight()  # a claim from before the shared rule, whose answer never came
    answer = ctx.cipher.decrypt(row.response_encrypted, field=replay_associated_data(replay.key))
    return GrievanceAccepted.model_validate_json(answer)


async def _claim_or_recall_webhook(uow: UnitOfWork, ctx: IntakeContext, replay: Replay) -> MinyiCaseAccepted | None:
    """Claim a webhook-id with its body's fingerprint, or answer a true replay without the token.

    A different body under a used id is refused like a reused Idempotency-Key: answering it with
    the first grievance would drop the new case silently. A replay (a retry, or a copy resent
    within the signature tolerance) gets the first answer but never the citizen's token again.
    """
    receipts = db.webhook_receipt
    claimed = await uow.session.execute(
        pg_insert(receipts)
        .values(webhook_id=replay.key, source="minyi", body_fingerprint=replay.request_hash)
        .on_conflict_do_nothing()
        .returning(receipts.c.webhook_id)
    )
    if claimed.first() is not None:
        return None
    row = (
        await uow.session.execute(
            select(receipts.c.body_fingerprint, receipts.c.response_encrypted).where(
                receipts.c.webhook_id == replay.key
            )
        )
    ).one()
    # Receipts from before migration 0005 have no fingerprint: answered as replays, as they were.
    if row.body_fingerprint is not None and row.body_fingerprint != replay.request_hash:
        raise Problem(
            422,
            slug="webhook-id-reused",
            detail="同一个 webhook-id 已用于内容不同的推送，请为新的推送使用新的 webhook-id。",
        )
    if row.response_encrypted is None:
        raise Problem(409, slug="request-in-progress", detail="相同的请求正在处理中，请稍后重试。")
    earlier = json.loads(ctx.cipher.decrypt(row.response_encrypted, field=replay_associated_data(replay.key)))
    # Receipts from before migration 0005 still hold the token: it is dropped here too.
    return MinyiCaseAccepted.model_validate({**earlier, "tracking_token": None})


async def _remember(
    uow: UnitOfWork, ctx: IntakeContext, replay: Replay, grievance_id: str, accepted: GrievanceAccepted
) -> None:
    # A webhook replay is answered without the token, so the token is not kept for it at all.
    answer = accepted.model_dump_json(exclude={"tracking_token"} if replay.table == "webhook" else None)
    blob = ctx.cipher.encrypt(answer, field=replay_associated_data(replay.key))
    if replay.table == "idempotency":
        now = ctx.clock.now()
        # The key is held (hold_key) and no live row has it: the first answer to this key.
        await uow.session.execute(
            insert(db.idempotency_key).values(
                key=replay.key,
                request_hash=replay.request_hash,
                grievance_id=grievance_id,
                response_encrypted=blob,
                expires_at=now + timedelta(hours=ctx.settings.idempotency_ttl_hours),
            )
        )
    else:
        receipts = db.webhook_receipt
        await uow.session.execute(
            update(receipts)
            .where(receipts.c.webhook_id == replay.key)
            .values(grievance_id=grievance_id, response_encrypted=blob)
        )


async def _refuse_known_external_ref(uow: UnitOfWork, command: SubmitGrievance) -> None:
    existing = await uow.session.scalar(
        select(db.grievance.c.tracking_no).where(
            db.grievance.c.channel == command.channel.value, db.grievance.c.external_ref == command.external_ref
        )
    )
    if existing:
        raise Problem(
            409, slug="duplicate-external-case", detail=f"该案件已登记，编号 {existing}。", tracking_no=existing
        )
