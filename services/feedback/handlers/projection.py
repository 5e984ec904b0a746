"""Use cases that build the timeline read model from events (consumer group ``feedback`` only).

Each status gets the grievance's next sequence number from the grievance row, whose lock lasts
until commit, so one grievance's entries commit in sequence order and a reader asking for
``seq > n`` never sees a later entry before an earlier one. A status that arrives before
grievance.received creates the row without its token hash: it is kept and numbered, and shown
once the grievance is known.
"""

from __future__ import annotations

from services.feedback.domain.follow_up import follow_status
from services.feedback.domain.grievance import Grievance, Routing
from services.feedback.domain.labels import status_label
from services.feedback.handlers.context import FeedbackContext
from services.feedback.handlers.webhooks import queue_minyi_status
from services.feedback.repositories import FeedbackUnitOfWork
from services.feedback.schemas import TimelineEntryRead
from services.feedback.stream.notices import encode_notice
from shared.events.contracts import GrievanceReceived, GrievanceRouted, GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import Channel

# More entries than any grievance has: the whole timeline in one read.
WHOLE_TIMELINE = 10_000


async def record_received(*, uow: FeedbackUnitOfWork, ctx: FeedbackContext, received: GrievanceReceived) -> None:
    """The grievance becomes known: its number, token hash and channel."""
    grievance = await uow.grievances.record_received(
        grievance_id=received.grievance_id,
        tracking_no=received.tracking_no,
        tracking_token_hash=received.tracking_token_hash,
        channel=received.channel.value,
        external_ref=received.external_ref,
        received_at=received.received_at,
    )
    # A stream asked for in the moment since filing is waiting for this (api/events.py).
    await uow.timeline.announce_known(received.tracking_no)
    if ctx.minyi_webhooks and received.channel is Channel.minyi and grievance.last_seq:
        # Statuses that came before this event were not queued then: the channel was unknown.
        for entry in await uow.timeline.after(grievance.grievance_id, after_seq=0, limit=WHOLE_TIMELINE):
            await queue_minyi_status(uow=uow, grievance=grievance, entry=entry)


def timeline_entry(sequence: int, status: GrievanceStatusChanged) -> TimelineEntryRead:
    """The status as the citizen reads it on the timeline."""
    return TimelineEntryRead(
        sequence=sequence,
        status=status.status.value,
        status_label=status_label(status.status.value),
        stage=status.stage,
        message_zh=status.message_zh,
        actor=status.actor,
        due_at=status.due_at,
        documents=[d.model_dump(mode="json") for d in status.documents],
        detail=dict(status.detail),
        occurred_at=status.occurred_at,
    )


async def record_status(
    *, uow: FeedbackUnitOfWork, ctx: FeedbackContext, event: CloudEvent, status: GrievanceStatusChanged
) -> int:
    """Append one status to the grievance's timeline; returns its sequence number."""
    grievance = await uow.grievances.next_sequence(
        grievance_id=status.grievance_id,
        tracking_no=status.tracking_no,
        status=status.status.value,
        occurred_at=status.occurred_at,
    )
    await _follow(uow, grievance, status)
    entry = timeline_entry(grievance.last_seq, status)
    # Streams are told only of grievances the citizen can open.
    notice = encode_notice(grievance.grievance_id, entry.sequence, entry.model_dump_json()) if grievance.known else None
    await uow.timeline.append(
        grievance_id=grievance.grievance_id, entry=entry, event_source=event.source, event_id=event.id, notice=notice
    )
    if ctx.minyi_webhooks and grievance.channel == Channel.minyi.value:
        await queue_minyi_status(uow=uow, grievance=grievance, entry=entry)
    return entry.sequence


async def _follow(uow: FeedbackUnitOfWork, grievance: Grievance, status: GrievanceStatusChanged) -> None:
    """Keep what 回访 and 复查 need (the answer and its round) in step with the timeline."""
    before = grievance.follow_up()
    after = follow_status(before, status.status, status.occurred_at)
    if after == before:
        return
    new_answer = after.answered_at is not None and after.answered_at != before.answered_at
    await uow.grievances.record_follow_up(
        grievance.grievance_id, after, answered_by=status.actor if new_answer else None
    )


async def record_routed(*, uow: FeedbackUnitOfWork, routed: GrievanceRouted) -> None:
    """Keep the track, lead department and repeat link for the statistics; a newer decision wins."""
    decision = routed.decision
    await uow.grievances.record_routing(
        grievance_id=routed.grievance_id,
        tracking_no=routed.tracking_no,
        routing=Routing(
            track=decision.track.value,
            lead_department=decision.departments.lead,
            repeat_of=decision.repeat_of,
            revision=routed.revision,
            routed_at=routed.routed_at,
        ),
    )
