"""Registering a grievance, whatever the channel (portal, staff, 民意速办 webhook, Open311).

Registration masks personal numbers in the free text (keeping encrypted originals), seals the
identity, makes the tracking token and encodes the ``grievance.received`` event and the citizen's
first status event before any statement runs; then ONE statement writes the grievance, the
encrypted identity and both events' outbox rows, the database putting the tracking number it draws
into the events (repositories.filings). The relay publishes the events afterwards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NoReturn

from services.intake.domain.complainant import ComplainantIdentity, seal, with_previous_pseudonyms
from services.intake.domain.free_text import FREE_TEXT_FIELDS, associated_data, mask_fields
from services.intake.domain.grievance import (
    assign_due,
    new_number_marker,
    new_tracking_token,
    received_message,
    tracking_number_stem,
)
from services.intake.handlers.context import IntakeContext
from services.intake.handlers.replays import Replay, recall, remember
from services.intake.metrics import count_submission
from services.intake.repositories import IntakeUnitOfWork
from services.intake.repositories.filings import NewFiling
from services.intake.repositories.grievances import NewGrievance
from services.intake.schemas import GrievanceAccepted, MinyiCaseAccepted
from shared.auth import StaffPrincipal
from shared.events.citizen_status import citizen_status
from shared.events.contracts import ComplainantView, GrievanceReceived
from shared.events.vocabulary import Channel, Status
from shared.pii import token_hash
from shared.problems import Problem

BUREAU = "光明区信访局"


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
class SubmitResult:
    accepted: GrievanceAccepted | MinyiCaseAccepted
    replayed: bool


def masked_command(command: SubmitGrievance) -> tuple[SubmitGrievance, dict[str, str]]:
    """The command with personal numbers in its free text masked, and the changed originals."""
    masked, originals = mask_fields({name: getattr(command, name) for name in FREE_TEXT_FIELDS})
    return replace(command, **masked), originals  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class PreparedFiling:
    """A filing with everything computed that needs no database: masking, pseudonyms, encryption,
    the tracking token and its hash. Only the tracking number is left to the database."""

    command: SubmitGrievance  # its free text masked
    filing: NewFiling
    view: ComplainantView
    token: str
    token_hash: str
    received_at: datetime
    due_at: datetime

    @property
    def provisional_tracking_no(self) -> str:
        """The tracking number as the events are written before the database numbers the filing."""
        return self.filing.grievance.tracking_no_stem + self.filing.number_marker


def prepare_filing(ctx: IntakeContext, command: SubmitGrievance) -> PreparedFiling:
    """``command`` made ready to store: called before the transaction's first statement, so none
    of this work keeps a transaction open."""
    now = ctx.clock.now()
    grievance_id = str(uuid.uuid4())
    token = new_tracking_token()
    hashed = token_hash(token)
    command, originals = masked_command(command)
    identity = command.identity.normalised()
    view = with_previous_pseudonyms(identity, identity.view(ctx.pseudonym_key), ctx.previous_pseudonym_keys)
    stem = tracking_number_stem(ctx.settings.tracking_prefix, now)
    filing = NewFiling(
        grievance=_new_grievance(command, grievance_id, stem, hashed, now),
        complainant=seal(identity, view, ctx.cipher, ctx.settings.pii_pseudonym_key_id),
        originals={name: ctx.cipher.encrypt(text, field=associated_data(name)) for name, text in originals.items()},
        number_marker=new_number_marker(),
    )
    return PreparedFiling(command, filing, view, token, hashed, now, assign_due(now))


async def register_grievance(
    *,
    uow: IntakeUnitOfWork,
    ctx: IntakeContext,
    staff: StaffPrincipal,
    command: SubmitGrievance,
    replay: Replay | None = None,
) -> SubmitResult:
    """A registrar files a visit, a call or a letter: audited in the filing's own transaction."""
    prepared = prepare_filing(ctx, replace(command, registered_by=staff.office))
    await uow.audit.record(staff, "register_grievance", None, {"channel": command.channel.value})
    return await file_prepared(uow=uow, ctx=ctx, prepared=prepared, replay=replay, alone=False)


async def submit_grievance(
    *, uow: IntakeUnitOfWork, ctx: IntakeContext, command: SubmitGrievance, replay: Replay | None = None
) -> SubmitResult:
    """File ``command`` and commit; with ``replay``, a repeated request gets the first answer."""
    prepared = prepare_filing(ctx, command)
    return await file_prepared(uow=uow, ctx=ctx, prepared=prepared, replay=replay, alone=replay is None)


async def file_prepared(
    *, uow: IntakeUnitOfWork, ctx: IntakeContext, prepared: PreparedFiling, replay: Replay | None, alone: bool
) -> SubmitResult:
    """Store ``prepared`` with its two events in one statement and commit, besides the statements
    of a replayable request. ``alone``: the filing is the unit of work's only write (no replay to
    remember, no audit row), so that statement commits by itself, in one round trip."""
    if replay is not None:
        earlier = await recall(uow=uow, ctx=ctx, replay=replay)
        if earlier is not None:
            return SubmitResult(accepted=earlier, replayed=True)
    command, grievance_id, now = prepared.command, prepared.filing.grievance.id, prepared.received_at
    await _publish_received(uow, prepared, prepared.provisional_tracking_no)
    tracking_no = await uow.file(prepared.filing, alone=alone)
    if tracking_no is None:
        assert command.external_ref is not None, "only a partner's case can have been filed before"
        await _refuse_known_external_case(uow, command.channel, command.external_ref)
    accepted = GrievanceAccepted(
        grievance_id=grievance_id,
        tracking_no=tracking_no,
        tracking_token=prepared.token,
        received_at=now,
        message_zh=received_message(tracking_no, prepared.due_at),
    )
    if replay is not None:
        await remember(uow=uow, ctx=ctx, replay=replay, grievance_id=grievance_id, accepted=accepted)
    if not uow.committed:
        await uow.commit()
    count_submission(command.channel)
    return SubmitResult(accepted=accepted, replayed=False)


async def _publish_received(uow: IntakeUnitOfWork, prepared: PreparedFiling, tracking_no: str) -> None:
    """The filing's ``grievance.received`` and the citizen's first status, numbered ``tracking_no``."""
    command, grievance_id, now = prepared.command, prepared.filing.grievance.id, prepared.received_at
    received = GrievanceReceived(
        grievance_id=grievance_id,
        tracking_no=tracking_no,
        tracking_token_hash=prepared.token_hash,
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
        complainant=prepared.view,
        external_ref=command.external_ref,
        registered_by=command.registered_by,
        category_hint=command.category_hint,
    )
    await uow.publish(received, subject=grievance_id)
    await uow.publish(
        citizen_status(
            grievance_id=grievance_id,
            tracking_no=tracking_no,
            status=Status.received,
            stage="intake",
            message_zh=received_message(tracking_no, prepared.due_at),
            detail={"channel": command.channel.value},
            actor=BUREAU,
            due_at=prepared.due_at,
            occurred_at=now,
        ),
        subject=grievance_id,
    )


def _new_grievance(
    command: SubmitGrievance, grievance_id: str, tracking_no_stem: str, token_hash: str, now: datetime
) -> NewGrievance:
    return NewGrievance(
        id=grievance_id,
        tracking_no_stem=tracking_no_stem,
        tracking_token_hash=token_hash,
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
    )


async def _refuse_known_external_case(uow: IntakeUnitOfWork, channel: Channel, external_ref: str) -> NoReturn:
    """409 with the tracking number the partner platform's case got when it was filed before."""
    existing = await uow.grievances.tracking_no_of_external_case(channel.value, external_ref)
    detail = f"该案件已登记，编号 {existing}。" if existing else "该案件已登记。"
    raise Problem(409, slug="duplicate-external-case", detail=detail, tracking_no=existing)
