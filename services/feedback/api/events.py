"""``GET /v1/grievances/{tracking_no}/events``: the citizen's live timeline as Server-Sent Events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query

from services.feedback.api.deps import Ctx, Hub, Reads, TrackingNo, TrackingToken, problems
from services.feedback.handlers import queries
from services.feedback.handlers.access import grievance_for_citizen
from services.feedback.schemas import TimelineEntryRead
from services.feedback.stream.hub import StreamRefused
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
    with problems():
        async with uows() as uow:
            grievance = await grievance_for_citizen(uow=uow, tracking_no=tracking_no, token=token)
            grievance_id = grievance.grievance_id
            # An id beyond the timeline (a client's mistake) must not hide the events still to come.
            after = min(after, grievance.last_seq)
            try:
                subscription = hub.subscribe(grievance_id)
            except StreamRefused as exc:
                raise Problem(
                    503, slug="too-many-streams", detail="当前连接过多，请稍后重试。", headers={"Retry-After": "5"}
                ) from exc
            try:
                # Read after subscribing (READ COMMITTED: a fresh snapshot per statement), so
                # whatever commits after this read is announced to us.
                replay = await queries.entries_after(
                    uow=uow, grievance_id=grievance_id, after_seq=after, limit=READ_BATCH
                )
            except BaseException:
                hub.unsubscribe(subscription)
                raise

    async def read_after(seq: int) -> list[TimelineEntryRead]:
        async with uows() as uow:
            return await queries.entries_after(uow=uow, grievance_id=grievance_id, after_seq=seq, limit=READ_BATCH)

    stream = StatusStream(
        subscription=subscription,
        read_after=read_after,
        after_seq=after,
        replay=replay,
        keepalive_s=ctx.settings.sse_keepalive_s,
        retry_ms=ctx.settings.sse_retry_ms,
        on_end=hub.unsubscribe,
    )
    return EventStreamResponse(stream, send_timeout_s=ctx.settings.sse_send_timeout_s)
