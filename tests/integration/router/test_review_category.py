"""Decisions carry the taxonomy's category and the model version; a reviewer may correct the
category, which is checked against the taxonomy for the chosen area: a wrong pair is refused and
changes nothing, a right one re-routes by the category and becomes a labelled example with it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from services.router.app import create_app
from services.router.classifier import Classifier
from services.router.training.reviewed import load_reviewed
from shared.auth import issue_token
from shared.events.contracts import GrievanceRouted, GrievanceStatusChanged, ReviewRequested, TrackHandoff, track_topic
from shared.events.topics import GRIEVANCE_REVIEW, GRIEVANCE_ROUTED, GRIEVANCE_STATUS
from shared.events.vocabulary import Role, Track
from tests.integration.router.conftest import RunningRouter, received, start_router
from tests.support.namespace import Namespace

POWER_CUT = (
    "我们小区从周一晚上开始停电，到现在已经三天了，物业说是线路故障要等供电部门来修，"
    "冰箱里的东西都坏了，家里有老人晚上很热睡不着，请尽快安排恢复供电。"
)


@pytest.fixture(scope="module")
async def router(namespace: Namespace, classifier: Classifier) -> AsyncIterator[RunningRouter]:
    # Every decision goes to review: the test is about what a reviewer may decide.
    async for running in start_router(namespace, classifier, review_threshold=0.999):
        yield running


@pytest.fixture(scope="module")
async def http(router: RunningRouter) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(router.settings, ctx=router.ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router") as client:
        yield client
    await app.state.infra.close()


def bearer(router: RunningRouter, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(router.settings, subject=f'{role.value}-1', role=role)}"}


async def _state(database: asyncpg.Connection, grievance_id: str) -> dict[str, object]:
    """What a refused decision must leave as it was."""
    row = await database.fetchrow(
        "SELECT g.revision, g.category, r.status, "
        "(SELECT count(*) FROM router.labelled_example e WHERE e.grievance_id = g.id) AS examples, "
        "(SELECT count(*) FROM router.routing_decision d WHERE d.grievance_id = g.id) AS decisions "
        "FROM router.grievance g JOIN router.review_item r ON r.grievance_id = g.id WHERE g.id = $1",
        grievance_id,
    )
    return dict(row)


async def test_a_reviewer_corrects_the_category_and_a_wrong_pair_changes_nothing(
    router: RunningRouter, http: httpx.AsyncClient, database: asyncpg.Connection
) -> None:
    grievance = received(POWER_CUT, title="小区停电三天无人处理", street="凤凰街道")
    await router.send(grievance)
    [review_event] = await router.wait_for(GRIEVANCE_REVIEW, grievance.grievance_id)
    proposed = ReviewRequested.model_validate(review_event.event.data).proposed
    assert proposed is not None and proposed.category and proposed.model_version
    [first] = await router.wait_for(GRIEVANCE_ROUTED, grievance.grievance_id)
    first_decision = GrievanceRouted.model_validate(first.event.data).decision
    assert (first_decision.category, first_decision.model_version) == (proposed.category, proposed.model_version)
    stored = await database.fetchrow(
        "SELECT g.area, g.category, g.model_version, d.category AS d_category, d.model_version AS d_model "
        "FROM router.grievance g JOIN router.routing_decision d ON d.grievance_id = g.id WHERE g.id = $1",
        grievance.grievance_id,
    )
    assert dict(stored) == {
        "area": proposed.area.value,
        "category": proposed.category,
        "model_version": proposed.model_version,
        "d_category": proposed.category,
        "d_model": proposed.model_version,
    }

    reviewer = bearer(router, Role.reviewer)
    page = (await http.get("/v1/reviews", params={"category": proposed.category}, headers=reviewer)).json()
    [item] = [i for i in page["items"] if i["grievance_id"] == grievance.grievance_id]
    assert item["proposed_category"] == proposed.category
    url = f"/v1/reviews/{item['review_id']}/decision"
    before = await _state(database, grievance.grievance_id)

    base = {"track": "petition", "petition_kind": "claim", "area": "城乡建设", "comment": "小区停电，属供电问题"}
    refusals = [
        ({**base, "category": "环境污染"}, "category", "环境保护"),  # a category of another area
        ({**base, "category": "停电停水"}, "category", "不在分类体系中"),  # no such category
        ({**base, "category": "城市建设和市政管理", "item": "噪音污染"}, "item", "城市建设和市政管理"),
        ({**base, "item": "电力供应"}, "item", "二级分类"),  # an item without its category
    ]
    for body, field, hint in refusals:
        refused = await http.post(url, json=body, headers=reviewer)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        [error] = refused.json()["errors"]
        assert (error["field"], error["pointer"]) == (field, f"#/{field}")
        assert hint in error["message_zh"]
        assert await _state(database, grievance.grievance_id) == before
    assert len(await router.wait_for(GRIEVANCE_ROUTED, grievance.grievance_id, settle=1.0)) == 1

    body = {**base, "category": "城市建设和市政管理", "item": "电力供应"}
    response = await http.post(url, json=body, headers=reviewer)
    assert response.status_code == 200, response.text
    decided = response.json()["decision"]
    assert (decided["category"], decided["item"]) == ("城市建设和市政管理", "电力供应")
    # dispatch as precise as the item: the grid company leads, the energy administration co-handles
    assert decided["departments"]["lead"] == "power-supply"
    assert "development-reform" in decided["departments"]["co"]

    routed = await router.wait_for(GRIEVANCE_ROUTED, grievance.grievance_id, count=2)
    latest = GrievanceRouted.model_validate(routed[-1].event.data)
    assert (latest.revision, latest.decision.decided_by) == (2, "reviewer")
    assert (latest.decision.area.value, latest.decision.category) == ("城乡建设", "城市建设和市政管理")
    assert latest.decision.model_version == proposed.model_version
    [handoff] = await router.wait_for(track_topic(Track.petition), grievance.grievance_id)
    assert TrackHandoff.model_validate(handoff.event.data).decision.category == "城市建设和市政管理"
    statuses = [
        GrievanceStatusChanged.model_validate(s.event.data)
        for s in await router.wait_for(GRIEVANCE_STATUS, grievance.grievance_id, count=2)
    ]
    classified = next(s for s in statuses if s.status.value == "classified")
    assert "已归类为：城乡建设 / 城市建设和市政管理" in classified.message_zh
    assert classified.detail["category"] == "城市建设和市政管理"

    after = await _state(database, grievance.grievance_id)
    assert after == {
        "revision": 2,
        "category": "城市建设和市政管理",
        "status": "decided",
        "examples": 1,
        "decisions": 2,
    }
    example = await database.fetchrow(
        "SELECT area, category, item FROM router.labelled_example WHERE grievance_id = $1", grievance.grievance_id
    )
    assert dict(example) == {"area": "城乡建设", "category": "城市建设和市政管理", "item": "电力供应"}
    [record] = [r for r in await load_reviewed(router.settings) if r.text == POWER_CUT]
    assert (record.category, record.item) == ("城市建设和市政管理", "电力供应")

    supervisor = bearer(router, Role.supervisor)
    statistics = (await http.get("/v1/statistics/routing", headers=supervisor)).json()
    assert statistics["by_category"]["城乡建设/城市建设和市政管理"] >= 1


async def test_without_a_category_the_proposal_is_kept_for_the_same_area_only(
    router: RunningRouter, http: httpx.AsyncClient
) -> None:
    reviewer = bearer(router, Role.reviewer)
    decisions = {}
    for area in ("same", "other"):
        grievance = received(POWER_CUT + f"（{area}）", title="小区停电", street="光明街道")
        await router.send(grievance)
        [event] = await router.wait_for(GRIEVANCE_REVIEW, grievance.grievance_id)
        proposed = ReviewRequested.model_validate(event.event.data).proposed
        assert proposed is not None
        page = (await http.get("/v1/reviews", params={"limit": 100}, headers=reviewer)).json()
        [item] = [i for i in page["items"] if i["grievance_id"] == grievance.grievance_id]
        chosen = proposed.area.value if area == "same" else "民政"
        body = {"track": "petition", "petition_kind": "claim", "area": chosen, "comment": "核实后决定"}
        response = await http.post(f"/v1/reviews/{item['review_id']}/decision", json=body, headers=reviewer)
        assert response.status_code == 200, response.text
        decisions[area] = (proposed.category, response.json()["decision"]["category"])
    proposed_category, kept = decisions["same"]
    assert proposed_category is not None and kept == proposed_category
    assert decisions["other"][1] is None
