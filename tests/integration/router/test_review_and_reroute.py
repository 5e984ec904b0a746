"""Low-confidence grievances wait for a reviewer, whose decision re-routes them and becomes a
labelled example; re-routes from mediation and returns from departments are applied once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from services.router.app import create_app
from services.router.classifier import Classifier
from services.router.training.reviewed import load_reviewed
from shared.auth import issue_token
from shared.events.contracts import (
    GrievanceRouted,
    GrievanceStatusChanged,
    RerouteRequested,
    ReviewRequested,
    TrackHandoff,
    track_topic,
)
from shared.events.topics import GRIEVANCE_REVIEW, GRIEVANCE_ROUTED, GRIEVANCE_STATUS
from shared.events.vocabulary import Area, Role, Track
from tests.integration.router.conftest import RunningRouter, received, start_router
from tests.support.namespace import Namespace

AMBIGUOUS = "这个事情拖了很久了，一直没有人给我一个说法，希望领导重视一下"
NEIGHBOUR_DISPUTE = "隔壁邻居装修把我家承重墙打裂了，跟他协商赔偿他一直推，想请社区帮忙调解一下"


@pytest.fixture(scope="module")
async def router(namespace: Namespace, classifier: Classifier) -> AsyncIterator[RunningRouter]:
    # A demanding threshold, so that an unclear text certainly goes to review.
    async for running in start_router(namespace, classifier, review_threshold=0.9):
        yield running


@pytest.fixture(scope="module")
async def http(router: RunningRouter) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(router.settings, ctx=router.ctx)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as client:
        yield client
    await app.state.infra.close()


def bearer(router: RunningRouter, role: Role, department: str | None = None) -> dict[str, str]:
    token = issue_token(router.settings, subject=f"{role.value}-1", role=role, department=department)
    return {"Authorization": f"Bearer {token}"}


async def test_low_confidence_goes_to_review_and_a_decision_reroutes_it(
    router: RunningRouter, http: httpx.AsyncClient, database: asyncpg.Connection
) -> None:
    grievance = received(AMBIGUOUS, title="反映问题")
    await router.send(grievance)
    [review_event] = await router.wait_for(GRIEVANCE_REVIEW, grievance.grievance_id)
    review = ReviewRequested.model_validate(review_event.event.data)
    assert review.proposed is not None
    assert review.proposed.needs_review
    [first] = await router.wait_for(GRIEVANCE_STATUS, grievance.grievance_id)
    assert GrievanceStatusChanged.model_validate(first.event.data).status.value == "under_review"
    for track in Track:  # no hand-off before a reviewer decides
        assert await router.wait_for(track_topic(track), grievance.grievance_id, count=0, timeout=0.5) == []

    reviewer = bearer(router, Role.reviewer)
    page = (await http.get("/v1/reviews", params={"limit": 50}, headers=reviewer)).json()
    [item] = [i for i in page["items"] if i["grievance_id"] == grievance.grievance_id]
    assert page["total"] >= 1
    shown = (await http.get(f"/v1/reviews/{item['review_id']}", headers=reviewer)).json()
    assert shown["content"] == AMBIGUOUS
    assert shown["proposed"]["reasons"]

    decision = {
        "track": "petition", "petition_kind": "claim", "area": "党务政务",
        "comment": "反映机关办事拖延，交政务服务部门答复",
    }  # fmt: skip
    response = await http.post(f"/v1/reviews/{item['review_id']}/decision", json=decision, headers=reviewer)
    assert response.status_code == 200, response.text
    assert response.json()["revision"] == 2
    assert response.json()["decision"]["departments"]["lead"] == "government-services"

    again = await http.post(f"/v1/reviews/{item['review_id']}/decision", json=decision, headers=reviewer)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"

    proposed_track = review.proposed.track.value
    decided = await http.get("/v1/reviews", params={"status": "decided", "track": proposed_track}, headers=reviewer)
    assert grievance.grievance_id in {i["grievance_id"] for i in decided.json()["items"]}
    pending = (await http.get("/v1/reviews", headers=reviewer)).json()["items"]
    assert grievance.grievance_id not in {i["grievance_id"] for i in pending}

    routed = await router.wait_for(GRIEVANCE_ROUTED, grievance.grievance_id, count=2)
    latest = GrievanceRouted.model_validate(routed[-1].event.data)
    assert (latest.revision, latest.decision.decided_by) == (2, "reviewer")
    [handoff] = await router.wait_for(track_topic(Track.petition), grievance.grievance_id, settle=1.0)
    assert TrackHandoff.model_validate(handoff.event.data).revision == 2
    example = await database.fetchrow(
        "SELECT track, area, petition_kind FROM router.labelled_example WHERE grievance_id = $1", grievance.grievance_id
    )
    assert dict(example) == {"track": "petition", "area": "党务政务", "petition_kind": "claim"}
    # the train command's --include-reviewed reads it back as a training record
    reviewed = [r for r in await load_reviewed(router.settings) if r.text == AMBIGUOUS]
    assert [(r.track, r.area, r.source) for r in reviewed] == [
        (Track.petition, Area.party_government_affairs, "reviewer")
    ]


async def test_reviewer_endpoints_refuse_other_roles_and_missing_tokens(
    router: RunningRouter, http: httpx.AsyncClient
) -> None:
    assert (await http.get("/v1/reviews")).status_code == 401
    officer = bearer(router, Role.department_officer, "housing")
    forbidden = await http.get("/v1/reviews", headers=officer)
    assert forbidden.status_code == 403
    assert forbidden.json()["type"].endswith("forbidden-role")
    body = {"track": "mediation", "area": "城乡建设", "comment": "邻里纠纷"}
    assert (await http.post("/v1/reviews/x/decision", json=body, headers=officer)).status_code == 403
    assert (await http.get("/v1/reviews/unknown", headers=bearer(router, Role.reviewer))).status_code == 404


async def test_mediation_failure_is_rerouted_exactly_once(router: RunningRouter, database: asyncpg.Connection) -> None:
    grievance = received(NEIGHBOUR_DISPUTE, title="邻居装修打裂墙")
    await router.send(grievance)
    await router.wait_for(GRIEVANCE_ROUTED, grievance.grievance_id)
    failure = RerouteRequested(
        grievance_id=grievance.grievance_id, tracking_no=grievance.tracking_no, reason="mediation_failed",
        from_track=Track.mediation, to_track=Track.litigation, detail="对方拒不赔偿，调解不成",
        requested_by="mediation", requested_at=datetime.now(UTC),
    )  # fmt: skip
    await router.send(failure, times=2)
    routed = await router.wait_for(GRIEVANCE_ROUTED, grievance.grievance_id, count=2, settle=3.0)
    assert len(routed) == 2
    rerouted = GrievanceRouted.model_validate(routed[1].event.data)
    assert rerouted.revision == 2
    assert rerouted.decision.track is Track.litigation
    assert rerouted.decision.decided_by == "reroute"
    assert any(r.code == "reroute.mediation_failed" and "第二十六条" in (r.legal_basis or "")
               for r in rerouted.decision.reasons)  # fmt: skip
    if not rerouted.decision.needs_review:
        handoffs = await router.wait_for(track_topic(Track.litigation), grievance.grievance_id, settle=1.0)
        assert len(handoffs) == 1
    revisions = await database.fetch(
        "SELECT revision FROM router.routing_decision WHERE grievance_id = $1 ORDER BY revision", grievance.grievance_id
    )
    assert [r["revision"] for r in revisions] == [1, 2]


async def test_department_return_goes_to_review_without_that_department(
    router: RunningRouter, http: httpx.AsyncClient
) -> None:
    grievance = received("我们小区门口那条路的路灯坏了半个多月，晚上黑乎乎的，麻烦派人来修一下", title="路灯坏了")
    await router.send(grievance)
    await router.wait_for(GRIEVANCE_ROUTED, grievance.grievance_id)
    returned = RerouteRequested(
        grievance_id=grievance.grievance_id, tracking_no=grievance.tracking_no, reason="returned_by_department",
        from_track=Track.petition, excluded_departments=["housing"], detail="路灯由城管部门负责",
        requested_by="housing", requested_at=datetime.now(UTC),
    )  # fmt: skip
    await router.send(returned, times=2)
    reviews = await router.wait_for(GRIEVANCE_REVIEW, grievance.grievance_id, settle=2.0)
    proposals = [ReviewRequested.model_validate(r.event.data).proposed for r in reviews]
    latest = proposals[-1]
    assert latest is not None
    assert latest.departments.lead != "housing"
    assert "housing" not in latest.departments.co
    page = (await http.get("/v1/reviews", params={"limit": 100}, headers=bearer(router, Role.reviewer))).json()
    mine = [i for i in page["items"] if i["grievance_id"] == grievance.grievance_id]
    assert [i["reason"] for i in mine] == ["returned_by_department"]
