"""Use cases that build the timeline read model from events (consumer group ``feedback`` only).

Each status gets the grievance's next sequence number from an upsert of the grievance row; the
row lock that upsert takes lasts until commit, so one grievance's entries commit in sequence
order and a reader asking for ``seq > n`` never sees a later entry before an earlier one. A
status that arrives before grievance.received creates the row without its token hash: it is kept
and numbered, and shown once the grievance is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.feedback import db
from services.feedback.domain import FollowUpState, follow_status
from services.feedback.stream.notices import encode_notice
from services.feedback.timeline import entries_after, entry_read
from services.feedback.webhook_outbound import queue_minyi_status
from shared.db.uow import UnitOfWork
from shared.events.contracts import GrievanceReceived, GrievanceRouted, GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import Channel


@dataclass(frozen=True, slots=True)
class ProjectionOptions:
    minyi_webhooks: bool  # queue outbound webhooks for grievances filed through 民意速办


async def record_received(*, uow: UnitOfWork, received: GrievanceReceived, options: ProjectionOptions) -> None:
    """The grievance becomes known: its number, token hash and channel."""
    g = db.grievance
    statement = pg_insert(g).values(
        grievance_id=received.grievance_id,
        tracking_no=received.tracking_no,
        tracking_token_hash=received.tracking_token_hash,
        channel=received.channel.value,
        external_ref=received.external_ref,
        received_at=received.received_at,
    )
    excluded = statement.excluded
    row = (
        await uow.session.execute(
            statement.on_conflict_do_update(
                index_elements=[g.c.grievance_id],
                set_={
                    "tracking_no": excluded.tracking_no,
                    "tracking_token_hash": excluded.tracking_token_hash,
                    "channel": excluded.channel,
                    "external_ref": excluded.external_ref,
                    "received_at": excluded.received_at,
                },
            ).returning(g.c.last_seq)
        )
    ).one()
    if options.minyi_webhooks and received.channel is Channel.minyi and row.last_seq:
        # Statuses that came before this event were not queued then: the channel was unknown.
        for entry in await entries_after(uow.session, grievance_id=received.grievance_id, after_seq=0, limit=10_000):
            await queue_minyi_status(
                uow=uow,
                grievance_id=received.grievance_id,
                tracking_no=received.tracking_no,
                external_ref=received.external_ref,
                entry=entry,
            )


def _append_statements() -> tuple[Any, Any, Any]:
    """The hot path's statements, built once: SQLAlchemy then reuses their cache keys and compiled
    forms, which saves about a millisecond of CPU per event over building them per call."""
    g, t = db.grievance, db.timeline_entry
    next_seq = (
        pg_insert(g)
        .values(
            grievance_id=bindparam("grievance_id"),
            tracking_no=bindparam("tracking_no"),
            last_seq=1,
            current_status=bindparam("status"),
            status_changed_at=bindparam("occurred_at", type_=g.c.status_changed_at.type),
        )
        .on_conflict_do_update(
            index_elements=[g.c.grievance_id],
            set_={
                "last_seq": g.c.last_seq + 1,
                "current_status": bindparam("status"),
                "status_changed_at": bindparam("occurred_at", type_=g.c.status_changed_at.type),
            },
        )
        .returning(g)
    )
    insert_entry = pg_insert(t).values(
        {c.name: bindparam(c.name, type_=c.type) for c in t.c if c.name != "recorded_at"}
    )
    # One round trip for the row and its NOTIFY; NOTIFY is delivered only if the transaction
    # commits, so a listener never hears of a row it cannot read yet.
    inserted = insert_entry.returning(t.c.seq).cte("inserted")
    insert_and_notify = select(func.pg_notify(bindparam("channel"), bindparam("payload"))).select_from(inserted)
    return next_seq, insert_entry, insert_and_notify


_NEXT_SEQ, _INSERT_ENTRY, _INSERT_ENTRY_AND_NOTIFY = _append_statements()


async def record_status(
    *, uow: UnitOfWork, event: CloudEvent, status: GrievanceStatusChanged, options: ProjectionOptions
) -> int:
    """Append one status to the grievance's timeline; returns its sequence number."""
    grievance = (
        await uow.session.execute(
            _NEXT_SEQ,
            {
                "grievance_id": status.grievance_id,
                "tracking_no": status.tracking_no,
                "status": status.status.value,
                "occurred_at": status.occurred_at,
            },
        )
    ).one()
    seq = int(grievance.last_seq)
    await _follow(uow, grievance, status)
    values: dict[str, Any] = {
        "grievance_id": status.grievance_id,
        "seq": seq,
        "event_source": event.source,
        "event_id": event.id,
        "status": status.status.value,
        "stage": status.stage,
        "message_zh": status.message_zh,
        "actor": status.actor,
        "detail": status.detail,
        "documents": [d.model_dump(mode="json") for d in status.documents],
        "due_at": status.due_at,
        "occurred_at": status.occurred_at,
    }
    entry = entry_read(values)
    if grievance.tracking_token_hash is None:
        await uow.session.execute(_INSERT_ENTRY, values)
    else:
        payload = encode_notice(status.grievance_id, seq, entry.model_dump_json())
        await uow.session.execute(
            _INSERT_ENTRY_AND_NOTIFY, {**values, "channel": db.TIMELINE_CHANNEL, "payload": payload}
        )
    if options.minyi_webhooks and grievance.channel == Channel.minyi.value:
        await queue_minyi_status(
            uow=uow,
            grievance_id=status.grievance_id,
            tracking_no=grievance.tracking_no,
            external_ref=grievance.external_ref,
            entry=entry,
        )
    return seq


async def _follow(uow: UnitOfWork, grievance: Any, status: GrievanceStatusChanged) -> None:
    """Keep what 回访 and 复查 need (the answer and its round) in step with the timeline."""
    before = FollowUpState(
        answered_at=grievance.answered_at,
        answer_round=grievance.answer_round,
        review_decided_at=grievance.review_decided_at,
    )
    after = follow_status(before, status.status, status.occurred_at)
    if after == before:
        return
    changes: dict[str, Any] = {
        "answered_at": after.answered_at,
        "answer_round": after.answer_round,
        "review_decided_at": after.review_decided_at,
    }
    if after.answered_at is not None and after.answered_at != before.answered_at:
        changes["answered_by"] = status.actor
    await uow.session.execute(
        update(db.grievance).where(db.grievance.c.grievance_id == status.grievance_id).values(**changes)
    )


async def record_routed(*, uow: UnitOfWork, routed: GrievanceRouted) -> None:
    """Keep the track, lead department and repeat link for the statistics; a newer decision wins."""
    g = db.grievance
    values = {
        "track": routed.decision.track.value,
        "lead_department": routed.decision.departments.lead,
        "repeat_of": routed.decision.repeat_of,
        "routing_revision": routed.revision,
        "routed_at": routed.routed_at,
    }
    statement = pg_insert(g).values(grievance_id=routed.grievance_id, tracking_no=routed.tracking_no, **values)
    await uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=[g.c.grievance_id],
            set_={name: statement.excluded[name] for name in values},
            where=g.c.routing_revision <= statement.excluded.routing_revision,
        )
    )
