"""回访 and 复查 on the real stack: 不满意 asks the handling service to reopen (RatingSubmitted on
grievance.feedback), the citizen's own actions show on the timeline, supervisors see the figures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.feedback import db
from services.feedback.app import FeedbackApiPart, TimelineWriterPart, create_app
from services.feedback.settings import Settings
from shared.auth.tokens import issue_token
from shared.events import topics
from shared.events.contracts import (
    CitizenReviewRequested,
    Departments,
    GrievanceReceived,
    GrievanceRouted,
    RatingSubmitted,
    RoutingDecision,
)
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import Area, Role, Status, Track
from shared.runtime import OutboxRelayPart, Part
from tests.integration.feedback.support import (
    new_received,
    received_event,
    running,
    status_event,
    wait_ready,
    wait_until,
)
from tests.support.kafka import Received, end_offsets, publish, read_events
from tests.support.namespace import Namespace
from tests.support.processes import free_port

TOKEN = "citizen-secret-token-0003"


@pytest.fixture(scope="module")
async def stack(namespace: Namespace) -> AsyncIterator[tuple[str, Settings]]:
    port = free_port()
    settings = namespace.settings(Settings, http_port=port, action_rate_limit="1000/minute")
    parts: list[Part] = [
        FeedbackApiPart(create_app(settings), host="127.0.0.1", port=port),
        TimelineWriterPart(settings),
        OutboxRelayPart(settings, db.TABLES),
    ]
    async with running(parts):
        base = f"http://127.0.0.1:{port}"
        await wait_ready(base)
        yield base, settings


async def answered_grievance(
    namespace: Namespace, api: str, *, replied_at: datetime | None = None
) -> GrievanceReceived:
    received = new_received(token=TOKEN)
    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(received))
    for status in (Status.received, Status.replied):
        event = status_event(received, status, occurred_at=replied_at if status is Status.replied else None)
        await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), event)
    await until_status(api, received, "replied")
    return received


async def timeline(api: str, received: GrievanceReceived) -> dict[str, object]:
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{api}/v1/grievances/{received.tracking_no}/timeline", headers={"X-Tracking-Token": TOKEN}
        )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def until_status(api: str, received: GrievanceReceived, status: str) -> None:
    async def shown() -> bool:
        try:
            entries = (await timeline(api, received))["entries"]
        except AssertionError:
            return False
        return any(e["status"] == status for e in entries)  # type: ignore[attr-defined]

    await wait_until(shown, what=f"{status} on the timeline")


async def post(api: str, received: GrievanceReceived, path: str, body: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(
            f"{api}/v1/grievances/{received.tracking_no}/{path}", json=body, headers={"X-Tracking-Token": TOKEN}
        )


async def feedback_events(namespace: Namespace, since: dict[int, int], grievance_id: str, count: int) -> list[Received]:
    events = await read_events(
        namespace.bootstrap,
        namespace.topic(topics.GRIEVANCE_FEEDBACK),
        since=since,
        until=lambda got: sum(r.event.subject == grievance_id for r in got) >= count,
        settle=0.5,
    )
    return [r for r in events if r.event.subject == grievance_id]


async def test_dissatisfied_within_the_window_asks_the_handler_to_reopen(
    namespace: Namespace, stack: tuple[str, Settings]
) -> None:
    api, _ = stack
    before = await end_offsets(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_FEEDBACK))
    received = await answered_grievance(namespace, api)
    assert (await timeline(api, received))["follow_up"]["can_rate"] is True  # type: ignore[index]

    response = await post(api, received, "rating", {"rating": "dissatisfied", "comment": "路灯还是不亮"})
    assert response.status_code == 201, response.text
    assert response.json()["reopen_requested"] is True
    assert "重办" in response.json()["message_zh"]

    (record,) = await feedback_events(namespace, before, received.grievance_id, 1)
    assert record.event.type == RatingSubmitted.event_type
    submitted = RatingSubmitted.model_validate(record.event.data)
    assert submitted.reopen_requested is True
    assert submitted.rating.value == "dissatisfied"
    assert submitted.comment == "路灯还是不亮"
    assert record.record.key == received.grievance_id.encode()

    # The citizen's own action comes back through grievance.status onto the timeline.
    await until_status(api, received, "rated")
    body = await timeline(api, received)
    assert body["follow_up"]["can_rate"] is False  # type: ignore[index]
    assert body["follow_up"]["last_rating"]["rating_label"] == "不满意"  # type: ignore[index]


async def test_one_rating_per_answer_and_a_new_round_after_reopening(
    namespace: Namespace, stack: tuple[str, Settings]
) -> None:
    api, _ = stack
    received = new_received(token=TOKEN)
    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(received))
    await publish(
        namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), status_event(received, Status.received)
    )
    await until_status(api, received, "received")
    early = await post(api, received, "rating", {"rating": "satisfied"})
    assert early.status_code == 409
    assert early.json()["detail"] == "诉求尚未答复或办结，答复后才能评价。"

    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), status_event(received, Status.replied))
    await until_status(api, received, "replied")
    assert (await post(api, received, "rating", {"rating": "satisfied"})).status_code == 201
    again = await post(api, received, "rating", {"rating": "dissatisfied"})
    assert again.status_code == 409
    assert again.json()["detail"] == "您已对本次答复作出评价。"

    for status in (Status.reopened, Status.replied):
        await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), status_event(received, status))
    await wait_until(lambda: _can_rate(api, received), what="a second answer to rate after the case was reopened")
    second = await post(api, received, "rating", {"rating": "basically_satisfied"})
    assert second.status_code == 201
    assert second.json()["reopen_requested"] is False


async def _can_rate(api: str, received: GrievanceReceived) -> bool:
    return bool((await timeline(api, received))["follow_up"]["can_rate"])  # type: ignore[index]


async def test_dissatisfied_after_the_window_is_recorded_without_reopening(
    namespace: Namespace, stack: tuple[str, Settings]
) -> None:
    api, _ = stack
    before = await end_offsets(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_FEEDBACK))
    received = await answered_grievance(namespace, api, replied_at=datetime.now(UTC) - timedelta(days=31))
    response = await post(api, received, "rating", {"rating": "dissatisfied"})
    assert response.status_code == 201
    assert response.json() | {"message_zh": ""} == {
        "rating": "dissatisfied",
        "reopen_requested": False,
        "within_window": False,
        "message_zh": "",
    }
    (record,) = await feedback_events(namespace, before, received.grievance_id, 1)
    assert RatingSubmitted.model_validate(record.event.data).reopen_requested is False


async def test_review_request_after_a_reply_reaches_the_handler_once(
    namespace: Namespace, stack: tuple[str, Settings]
) -> None:
    api, _ = stack
    before = await end_offsets(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_FEEDBACK))
    received = await answered_grievance(namespace, api)
    reason = {"level": "review", "reason": "答复没有回应我提出的噪音问题"}
    accepted = await post(api, received, "review-requests", reason)
    assert accepted.status_code == 201, accepted.text
    assert (await post(api, received, "review-requests", reason)).status_code == 409
    (record,) = await feedback_events(namespace, before, received.grievance_id, 1)
    assert record.event.type == CitizenReviewRequested.event_type
    assert CitizenReviewRequested.model_validate(record.event.data).level == "review"
    await until_status(api, received, "review_requested")


async def test_supervisors_get_satisfaction_and_repeat_figures(
    namespace: Namespace, stack: tuple[str, Settings]
) -> None:
    api, settings = stack
    since = datetime.now(UTC)
    grievances = [await answered_grievance(namespace, api) for _ in range(3)]
    for received, rating in zip(grievances, ("satisfied", "basically_satisfied", "dissatisfied"), strict=True):
        assert (await post(api, received, "rating", {"rating": rating})).status_code == 201
    for received, repeat_of in zip(grievances[:2], (None, "GM-20260101-000001"), strict=True):
        await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_ROUTED), routed_event(received, repeat_of))

    supervisor = issue_token(settings, subject="sup-1", role=Role.supervisor)
    officer = issue_token(settings, subject="off-1", role=Role.department_officer, department="housing")
    url = f"{api}/v1/statistics/satisfaction"
    async with httpx.AsyncClient() as client:

        async def routed_counted() -> bool:
            response = await client.get(
                url, params={"since": since.isoformat()}, headers={"Authorization": f"Bearer {supervisor}"}
            )
            return bool(response.json()["repeat"]["routed"] == 2)

        await wait_until(routed_counted, what="both routing decisions counted")
        stats = (
            await client.get(
                url, params={"since": since.isoformat()}, headers={"Authorization": f"Bearer {supervisor}"}
            )
        ).json()
        forbidden = await client.get(url, headers={"Authorization": f"Bearer {officer}"})
        anonymous = await client.get(url)
    assert stats["overall"]["total"] == 3
    assert stats["overall"]["satisfaction_rate"] == round(2 / 3, 4)
    assert stats["overall"]["reopen_requested"] == 1
    assert stats["repeat"] == {"routed": 2, "repeats": 1, "repeat_rate": 0.5}
    by_track = {g["key"]: g["total"] for g in stats["by_track"]}
    assert by_track == {"petition": 2, None: 1}
    assert forbidden.status_code == 403
    assert anonymous.status_code == 401


def routed_event(received: GrievanceReceived, repeat_of: str | None) -> CloudEvent:
    routed = GrievanceRouted(
        grievance_id=received.grievance_id,
        tracking_no=received.tracking_no,
        revision=1,
        decision=RoutingDecision(
            track=Track.petition,
            area=Area.urban_rural_construction,
            departments=Departments(lead="housing"),
            repeat_of=repeat_of,
            confidence=0.9,
        ),
        routed_at=datetime.now(UTC),
    )
    return CloudEvent(
        type=routed.event_type,
        source="/grievance-platform/router",
        subject=received.grievance_id,
        data=routed.model_dump(mode="json"),
    )
