"""Intake use cases: register a grievance (any channel), look it up, read the contact data.

Registration writes the grievance, the encrypted identity, the ``grievance.received`` event and
the citizen's first status event in one transaction; the relay publishes the events afterwards.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.intake import db
from services.intake.domain import (
    ComplainantIdentity,
    assign_due,
    new_tracking_token,
    received_message,
    tracking_number,
)
from services.intake.schemas import (
    AddressOut,
    ComplainantOut,
    ContactRead,
    GrievanceAccepted,
    GrievanceRead,
)
from services.intake.settings import Settings
from shared.auth import StaffPrincipal
from shared.clock import Clock
from shared.db.uow import UnitOfWork
from shared.events.contracts import GrievanceReceived, GrievanceStatusChanged
from shared.events.vocabulary import Channel, Status
from shared.pii import FieldCipher, mask_id_card, mask_mobile, mask_name, token_hash, tokens_match
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


@dataclass(frozen=True, slots=True)
class Replay:
    """Where an earlier answer to the same request is remembered (Idempotency-Key, webhook-id)."""

    table: str  # "idempotency" or "webhook"
    key: str
    request_hash: str


@dataclass(frozen=True, slots=True)
class SubmitResult:
    accepted: GrievanceAccepted
    replayed: bool


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
    identity = command.identity.normalised()
    view = identity.view(ctx.settings.pseudonym_key)

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
        ),
    )
    cipher = ctx.cipher
    await uow.session.execute(
        INSERT_COMPLAINANT,
        dict(
            grievance_id=grievance_id,
            name_encrypted=cipher.encrypt(identity.name, field="name"),
            mobile_encrypted=cipher.encrypt(identity.mobile, field="mobile"),
            id_card_encrypted=cipher.encrypt(identity.id_card, field="id_card") if identity.id_card else None,
            # Staff screens show masked values even for anonymous filings; the events do not.
            name_masked=mask_name(identity.name),
            mobile_masked=mask_mobile(identity.mobile),
            id_card_masked=mask_id_card(identity.id_card) if identity.id_card else None,
            mobile_pseudonym=view.phone_pseudonym,
            id_card_pseudonym=view.id_card_pseudonym,
            anonymous=identity.anonymous,
        ),
    )

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
        GrievanceStatusChanged(
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
    return SubmitResult(accepted=accepted, replayed=False)


async def _claim_or_recall(uow: UnitOfWork, ctx: IntakeContext, replay: Replay) -> GrievanceAccepted | None:
    """Claim the key for this request, or return the answer given to the first request with it.

    The INSERT waits for a concurrent transaction holding the same key, so two simultaneous
    requests with one key create one grievance.
    """
    now = ctx.clock.now()
    if replay.table == "idempotency":
        table = db.idempotency_key
        await uow.session.execute(delete(table).where(table.c.key == replay.key, table.c.expires_at < now))
        claimed = await uow.session.execute(
            pg_insert(table)
            .values(
                key=replay.key,
                request_hash=replay.request_hash,
                expires_at=now + timedelta(hours=ctx.settings.idempotency_ttl_hours),
            )
            .on_conflict_do_nothing()
            .returning(table.c.key)
        )
        if claimed.first() is not None:
            return None
        row = (await uow.session.execute(select(table).where(table.c.key == replay.key))).one()
        if row.request_hash != replay.request_hash:
            raise Problem(
                422,
                slug="idempotency-key-reused",
                detail="同一个 Idempotency-Key 已用于内容不同的提交，请为新的提交使用新的键。",
            )
        blob = row.response_encrypted
    else:
        receipts = db.webhook_receipt
        claimed = await uow.session.execute(
            pg_insert(receipts)
            .values(webhook_id=replay.key, source="minyi")
            .on_conflict_do_nothing()
            .returning(receipts.c.webhook_id)
        )
        if claimed.first() is not None:
            return None
        blob = await uow.session.scalar(
            select(receipts.c.response_encrypted).where(receipts.c.webhook_id == replay.key)
        )
    if blob is None:
        raise Problem(409, slug="request-in-progress", detail="相同的请求正在处理中，请稍后重试。")
    return GrievanceAccepted.model_validate_json(ctx.cipher.decrypt(blob, field=f"replay:{replay.key}"))


async def _remember(
    uow: UnitOfWork, ctx: IntakeContext, replay: Replay, grievance_id: str, accepted: GrievanceAccepted
) -> None:
    blob = ctx.cipher.encrypt(accepted.model_dump_json(), field=f"replay:{replay.key}")
    if replay.table == "idempotency":
        table = db.idempotency_key
        await uow.session.execute(
            update(table).where(table.c.key == replay.key).values(grievance_id=grievance_id, response_encrypted=blob)
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


async def read_grievance(*, uow: UnitOfWork, tracking_no: str, token: str | None) -> GrievanceRead:
    """The record as filed, for a citizen holding the tracking token; 404 for anything else."""
    g, c = db.grievance, db.complainant
    row = (
        await uow.session.execute(
            select(g, c.c.name_masked, c.c.mobile_masked, c.c.id_card_masked, c.c.anonymous)
            .join(c, c.c.grievance_id == g.c.id)
            .where(g.c.tracking_no == tracking_no)
        )
    ).first()
    # Same answer for "no such number" and "wrong token": the number alone reveals nothing.
    if row is None or not token or not tokens_match(token, row.tracking_token_hash):
        raise Problem(404, slug="grievance-not-found", detail="未找到该编号的诉求，或查询码不正确。")
    return _as_read(row)


async def read_grievance_for_staff(*, uow: UnitOfWork, tracking_no: str, staff: StaffPrincipal) -> GrievanceRead:
    g, c = db.grievance, db.complainant
    row = (
        await uow.session.execute(
            select(g, c.c.name_masked, c.c.mobile_masked, c.c.id_card_masked, c.c.anonymous)
            .join(c, c.c.grievance_id == g.c.id)
            .where(g.c.tracking_no == tracking_no)
        )
    ).first()
    if row is None:
        raise Problem(404, slug="grievance-not-found", detail="未找到该编号的诉求。")
    await audit(uow, staff, "read_grievance", row.id, {"tracking_no": tracking_no})
    await uow.commit()
    return _as_read(row)


def _as_read(row: Any) -> GrievanceRead:
    return GrievanceRead(
        grievance_id=row.id,
        tracking_no=row.tracking_no,
        channel=Channel(row.channel),
        received_at=row.received_at,
        title=row.title,
        content=row.content,
        address=AddressOut(street=row.street, community=row.community, detail=row.address_detail),
        respondent=row.respondent,
        desired_outcome=row.desired_outcome,
        attachments=list(row.attachments),
        complainant=ComplainantOut(
            name_masked=row.name_masked,
            mobile_masked=row.mobile_masked,
            id_card_masked=row.id_card_masked,
            anonymous=row.anonymous,
        ),
    )


async def read_contact(
    *, uow: UnitOfWork, ctx: IntakeContext, tracking_no: str, staff: StaffPrincipal, purpose: str
) -> ContactRead:
    """Decrypt the contact data for a call-back (回访); the purpose goes to the audit log."""
    g, c = db.grievance, db.complainant
    row = (
        await uow.session.execute(
            select(g.c.id, c.c.name_encrypted, c.c.mobile_encrypted, c.c.id_card_encrypted)
            .join(c, c.c.grievance_id == g.c.id)
            .where(g.c.tracking_no == tracking_no)
        )
    ).first()
    if row is None:
        raise Problem(404, slug="grievance-not-found", detail="未找到该编号的诉求。")
    await audit(uow, staff, "read_contact", row.id, {"tracking_no": tracking_no, "purpose": purpose})
    await uow.commit()
    cipher = ctx.cipher
    return ContactRead(
        tracking_no=tracking_no,
        name=cipher.decrypt(row.name_encrypted, field="name"),
        mobile=cipher.decrypt(row.mobile_encrypted, field="mobile"),
        id_card=cipher.decrypt(row.id_card_encrypted, field="id_card") if row.id_card_encrypted else None,
    )


async def audit(
    uow: UnitOfWork,
    staff: StaffPrincipal,
    action: str,
    grievance_id: str | None,
    detail: dict[str, Any],
    at: datetime | None = None,
) -> None:
    values: dict[str, Any] = {
        "actor": staff.subject,
        "role": staff.role.value,
        "department": staff.department,
        "action": action,
        "grievance_id": grievance_id,
        "detail": detail,
    }
    if at is not None:
        values["at"] = at
    await uow.session.execute(insert(db.audit_log).values(**values))
