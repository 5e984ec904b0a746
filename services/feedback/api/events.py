"""``GET /v1/grievances/{tracking_no}/events``: the citizen's live timeline as Server-Sent Events."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Header, Query

from services.feedback.api.deps import Ctx, Hub, Reads, TrackingNo, TrackingToken, problems
from services.feedback.domain.grievance import GrievanceNotFound
from services.feedback.handlers import queries
from services.feedback.handlers.access import grievance_for_citizen
from services.feedback.repositories import FeedbackUnitOfWork
from services.feedback.schemas import TimelineEntryRead
from services.feedback.stream.hub import StreamRefused, Subscription, TimelineHub
from services.feedback.stream.response import READ_BATCH, EventStreamResponse, StatusStream
from shared.problems import Problem, problem_responses
from shared.web import MAX_SEQUENCE, rate_limit

router = APIRouter()

EVENT_STREAM_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "`event: status`, `id:` the sequence number, `data:` a TimelineEntryRead; "
        "`: keep-alive` comments while idle",
        "content": {"text/event-stream": {}},
    }
}


def resume_after(header: str | None, query: int | None) -> int:
    """Where to resume: the browser's Last-Event-ID on reconnect, else ``?last_event_id=``, else 0."""
    if header is None or not header.strip():
        return query or 0
    # isascii: str.isdigit also accepts digits such as "²" that int() refuses.
    if not (header.strip().isascii() and header.strip().isdigit()):
        raise Problem(
            422,
            slug="invalid-last-event-id",
            detail="Last-Event-ID 应为事件序号（非负整数）。",
            errors=[
                {
                    "pointer": "#/headers/Last-Event-ID",
                    "field": "Last-Event-ID",
                    "in": "header",
                    "code": "int_parsing",
                    "message": "not a sequence number",
                    "message_zh": "应为非负整数",
                }
            ],
        )
    return int(header.strip())


class Opened(NamedTuple):
    grievance_id: str
    after: int  # where the stream resumes
    subscription: Subscription
    replay: list[TimelineEntryRead]


async def _subscribed(
    uows: Callable[[], FeedbackUnitOfWork], hub: TimelineHub, tracking_no: str, token: str | None, after: int
) -> Opened:
    """The stream's start, subscribed to the hub; GrievanceNotFound unless ``token`` opens ``tracking_no``."""
    async with uows() as uow:
        grievance = await grievance_for_citizen(uow=uow, tracking_no=tracking_no, token=token)
        # An id beyond the timeline (a client's mistake) must not hide the events still to come.
        after = min(after, grievance.last_seq)
        try:
            subscription = hub.subscribe(grievance.grievance_id)
        except StreamRefused as exc:
            raise _too_many_streams() from exc
        try:
            # Read after subscribing (READ COMMITTED: a fresh snapshot per statement), so
            # whatever commits after this read is announced to us.
            replay = await queries.entries_after(
                uow=uow, grievance_id=grievance.grievance_id, after_seq=after, limit=READ_BATCH
            )
        except BaseException:
            hub.unsubscribe(subscription)
            raise
    return Opened(grievance.grievance_id, after, subscription, replay)


async def _once_known(
    hub: TimelineHub, tracking_no: str, hold_s: float, subscribed: Callable[[], Awaitable[Opened]]
) -> Opened:
    """``subscribed()`` once ``tracking_no`` is known, looking again each time the hub wakes the
    request, for up to ``hold_s``; then GrievanceNotFound. The waiter is in place before each look
    that may miss the number, so no "known" notice falls in between. A wake that was not this
    number's (a listener reconnect) or did not open it (a wrong token) only costs a look; at
    shutdown the request is answered at once."""
    try:
        waiter = hub.expect(tracking_no)
    except StreamRefused as exc:
        raise _too_many_streams() from exc
    deadline = asyncio.get_running_loop().time() + hold_s
    try:
        while True:
            try:
                return await subscribed()
            except GrievanceNotFound:
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0 or hub.stopping or not await waiter.wait(left):
                    raise
    finally:
        hub.forget(waiter)


def _too_many_streams() -> Problem:
    return Problem(503, slug="too-many-streams", detail="当前连接过多，请稍后重试。", headers={"Retry-After": "5"})


@router.get(
    "/v1/grievances/{tracking_no}/events",
    response_class=EventStreamResponse,
    responses={**EVENT_STREAM_DOC, **problem_responses(404, 422, 429, 503)},
    summary="Live timeline (SSE); resumes after Last-Event-ID without gaps or duplicates",
    dependencies=[rate_limit("stream")],
)
async def status_events(
    tracking_no: TrackingNo,
    token: TrackingToken,
    ctx: Ctx,
    hub: Hub,
    uows: Reads,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
    last_event_id: Annotated[
        int | None, Query(ge=0, le=MAX_SEQUENCE, description="resume after this sequence number")
    ] = None,
) -> EventStreamResponse:
    after = resume_after(last_event_id_header, last_event_id)
    subscribed = functools.partial(_subscribed, uows, hub, tracking_no, token, after)
    with problems():
        try:
            opened = await subscribed()
        except GrievanceNotFound:
            # Filed a moment ago, its grievance.received not projected yet: the citizen's first
            # stream waits for it instead of a 404 and a retry (a wrong token waits as long).
            if ctx.settings.sse_hold_unknown_s <= 0:
                raise
            opened = await _once_known(hub, tracking_no, ctx.settings.sse_hold_unknown_s, subscribed)
    grievance_id = opened.grievance_id

    async def read_after(seq: int) -> list[TimelineEntryRead]:
        async with uows() as uow:
            return await queries.entries_after(uow=uow, grievance_id=grievance_id, after_seq=seq, limit=READ_BATCH)

    stream = StatusStream(
        subscription=opened.subscription,
        read_after=read_after,
        after_seq=opened.after,
        replay=opened.replay,
        keepalive_s=ctx.settings.sse_keepalive_s,
        retry_ms=ctx.settings.sse_retry_ms,
        on_end=hub.unsubscribe,
    )
    return EventStreamResponse(stream, send_timeout_s=ctx.settings.sse_send_timeout_s)
