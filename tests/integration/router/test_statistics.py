"""GET /v1/statistics/routing on the real broker and database: grievances published on
grievance.received and routed by the real consumer, one reviewer decision and one re-route, then
exact counts for a known window (Asia/Shanghai days), the window's edges, and who may ask."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from alembic import command

from services.migrate import alembic_config
from services.router.app import create_app
from shared.auth import issue_token
from shared.clock import CHINA_TZ
from shared.events.contracts import (
    GrievanceReceived,
    GrievanceRouted,
    RerouteRequested,
    ReviewRequested,
    RoutingDecision,
)
from shared.events.topics import GRIEVANCE_REVIEW, GRIEVANCE_ROUTED
from shared.events.vocabulary import Area, Channel, PetitionKind, Role, Street, Track
from tests.integration.router.conftest import RunningRouter, received

WAGES = "老板欠我三个月工资不给，找了好几次都说没钱"
POLICE = "被人打了，派出所不给立案，说证据不够"
LAMP = "我们小区门口那条路的路灯坏了半个多月，晚上黑乎乎的，麻烦派人来修一下"
LAMP_AGAIN = "小区门口那条路的路灯坏了一个多月了，上次反映过还是没人来修，晚上黑乎乎的"
GAS = "楼道里现在一股很浓的煤气味，好像煤气泄漏了，随时可能爆炸"
BRIBE = "举报社区主任收受红包，帮人违规办理低保"
NOISE = (
    "楼下工地每天晚上施工到凌晨两点，噪音太大吵得孩子睡不着觉",
    "附近工地每天晚上施工到凌晨，噪音太大，全家人都睡不着觉",
    "旁边工地天天晚上施工到凌晨一两点，噪音太大，老人孩子睡不着觉",
)
UNCLEAR = "这个事情拖了很久了，一直没有人给我一个说法，希望领导重视一下"
BUS = "希望增开一条到光明高铁站的公交线路，现在出行很不方便"
# A suggestion too vague for any area: the model is unsure, so it waits for a reviewer.
VAGUE_SUGGESTION = "建议政府多为我们老年人考虑一下，很多地方都不方便"
RUBBISH = "小区垃圾站好几天没人清运，臭气熏天，苍蝇到处飞"

GM, GONGMING, MATIAN = Street.guangming.value, Street.gongming.value, Street.matian.value
SAME_PERSON = "pseudonym-of-one-complainant"


def shanghai(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of June 2025 in the bureau's time zone."""
    return datetime(2025, 6, day, hour, minute, second, tzinfo=CHINA_TZ)


def filed(
    key: str,
    content: str,
    when: datetime,
    *,
    street: str | None,
    channel: Channel,
    title: str = "诉求",
    person: str | None = None,
) -> tuple[str, GrievanceReceived]:
    grievance = received(content, title=title, street=street, phone_pseudonym=person, received_at=when)
    return key, grievance.model_copy(update={"channel": channel})


# Received on 2 June 2025 (Asia/Shanghai), from the first to the last second of the day.
IN_WINDOW = [
    filed("wages", WAGES, shanghai(2, 0), street=GM, channel=Channel.portal, title="工资拖欠"),
    filed("police", POLICE, shanghai(2, 9), street=GONGMING, channel=Channel.hotline, title="不给立案"),
    filed("lamp", LAMP, shanghai(2, 10), street=GM, channel=Channel.letter, title="路灯坏了", person=SAME_PERSON),
    filed("lamp_again", LAMP_AGAIN, shanghai(2, 11), street=GM, channel=Channel.portal, title="路灯还没修",
          person=SAME_PERSON),
    filed("gas", GAS, shanghai(2, 12), street=GONGMING, channel=Channel.hotline, title="煤气泄漏"),
    filed("bribe", BRIBE, shanghai(2, 13), street=None, channel=Channel.portal, title="举报"),
    *(filed(f"noise{i}", text, shanghai(2, 14, 20 * i), street=GONGMING, channel=Channel.minyi, title="工地噪音")
      for i, text in enumerate(NOISE)),
    filed("unclear", UNCLEAR, shanghai(2, 16), street="深圳湾街道", channel=Channel.walk_in, title="反映问题"),
    filed("vague", VAGUE_SUGGESTION, shanghai(2, 17), street=Street.xinhu.value, channel=Channel.portal, title="建议"),
    filed("bus", BUS, shanghai(2, 23, 59, 59), street=MATIAN, channel=Channel.open311, title="公交线路"),
]  # fmt: skip
# One second before and exactly after the day: outside a since=until=2025-06-02 window.
OUTSIDE = [
    filed("day_before", RUBBISH, shanghai(1, 23, 59, 59), street=GM, channel=Channel.portal, title="垃圾清运"),
    filed("day_after", BUS, shanghai(3, 0), street=Street.fenghuang.value, channel=Channel.hotline, title="公交"),
]
GRIEVANCES = dict(IN_WINDOW + OUTSIDE)
DAY = {"since": "2025-06-02", "until": "2025-06-02"}


def bearer(router: RunningRouter, role: Role, department: str | None = None) -> dict[str, str]:
    token = issue_token(router.settings, subject=f"{role.value}-1", role=role, department=department)
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Scenario:
    latest: dict[str, GrievanceRouted]  # the current decision of each grievance, from the events
    first: dict[str, GrievanceRouted]
    proposed: RoutingDecision  # what the classifier proposed for the grievance the reviewer decided


@pytest.fixture(scope="module")
async def http(router: RunningRouter) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(router.settings, ctx=router.ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router") as client:
        yield client
    await app.state.infra.close()


async def routed(router: RunningRouter, key: str, count: int = 1) -> list[GrievanceRouted]:
    events = await router.wait_for(GRIEVANCE_ROUTED, GRIEVANCES[key].grievance_id, count=count)
    return [GrievanceRouted.model_validate(e.event.data) for e in events]


@pytest.fixture(scope="module")
async def scenario(router: RunningRouter, http: httpx.AsyncClient) -> Scenario:
    # One at a time: a repeat and a group case are found among the grievances routed before.
    for key, grievance in [*OUTSIDE, *IN_WINDOW]:
        await router.send(grievance)
        await routed(router, key)

    # The unclear grievance waits for a reviewer, who keeps the area but changes the track.
    [review_event] = await router.wait_for(GRIEVANCE_REVIEW, GRIEVANCES["unclear"].grievance_id)
    proposal = ReviewRequested.model_validate(review_event.event.data)
    assert proposal.proposed is not None
    reviewer = bearer(router, Role.reviewer)
    page = (await http.get("/v1/reviews", params={"limit": 100}, headers=reviewer)).json()
    [item] = [i for i in page["items"] if i["grievance_id"] == GRIEVANCES["unclear"].grievance_id]
    other_track = Track.mediation if proposal.proposed.track is not Track.mediation else Track.petition
    decision: dict[str, Any] = {"track": other_track.value, "area": proposal.proposed.area.value,
                                "comment": "邻里之间的纠纷，适合调解"}  # fmt: skip
    if other_track is Track.petition:
        decision["petition_kind"] = PetitionKind.claim.value
    response = await http.post(f"/v1/reviews/{item['review_id']}/decision", json=decision, headers=reviewer)
    assert response.status_code == 200, response.text

    # The wage mediation failed: the mediation service hands it back for the litigation track.
    wages = GRIEVANCES["wages"]
    await router.send(
        RerouteRequested(
            grievance_id=wages.grievance_id, tracking_no=wages.tracking_no, reason="mediation_failed",
            from_track=Track.mediation, to_track=Track.litigation, detail="对方拒不支付，调解不成",
            requested_by="mediation", requested_at=datetime.now(UTC),
        )
    )  # fmt: skip
    latest, first = {}, {}
    for key in GRIEVANCES:
        decisions = await routed(router, key, count=2 if key in ("wages", "unclear") else 1)
        first[key] = next(d for d in decisions if d.revision == 1)
        latest[key] = max(decisions, key=lambda d: d.revision)
    return Scenario(latest=latest, first=first, proposed=proposal.proposed)


async def statistics(http: httpx.AsyncClient, router: RunningRouter, **params: str) -> httpx.Response:
    return await http.get("/v1/statistics/routing", params=params, headers=bearer(router, Role.supervisor))


def counted(scenario: Scenario, keys: list[str], field: str) -> Counter[str]:
    values = (getattr(scenario.latest[key].decision, field) for key in keys)
    return Counter(v.value for v in values if v is not None)


async def test_counts_of_one_shanghai_day(scenario: Scenario, router: RunningRouter, http: httpx.AsyncClient) -> None:
    response = await statistics(http, router, **DAY)
    assert response.status_code == 200, response.text
    stats = response.json()
    keys = [key for key, _ in IN_WINDOW]
    # the day in the bureau's time zone: 2 June 00:00 (+08:00) inclusive to 3 June 00:00 exclusive
    assert datetime.fromisoformat(stats["since"]) == shanghai(2, 0)
    assert datetime.fromisoformat(stats["until"]) == shanghai(3, 0)
    assert stats["time_zone"] == "Asia/Shanghai"
    assert stats["received"] == 12

    # the situation the figures below rest on (the real classifier decided it)
    assert scenario.latest["police"].decision.track is Track.litigation
    assert scenario.latest["wages"].decision.track is Track.litigation  # after the re-route
    assert scenario.latest["unclear"].decision.track is not scenario.proposed.track
    assert scenario.latest["unclear"].decision.area is scenario.proposed.area
    assert scenario.first["lamp_again"].decision.repeat_of == GRIEVANCES["lamp"].grievance_id
    assert [k for k in keys if scenario.latest[k].decision.urgent] == ["gas"]
    # the third complainant makes the group case; the read model gives the first two its id too
    assert scenario.first["noise2"].decision.cluster_id is not None

    tracks = counted(scenario, keys, "track")
    assert len(tracks) >= 2
    assert stats["by_track"] == {t.value: tracks[t.value] for t in Track}
    petitions = [k for k in keys if scenario.latest[k].decision.track is Track.petition]
    kinds = counted(scenario, petitions, "petition_kind")
    assert stats["by_petition_kind"] == {k.value: kinds[k.value] for k in PetitionKind}
    assert sum(stats["by_petition_kind"].values()) == tracks[Track.petition.value]
    areas = counted(scenario, keys, "area")
    assert list(stats["by_area"]) == [a.value for a in Area]  # all 15, zeros included
    assert stats["by_area"] == {a.value: areas[a.value] for a in Area}
    assert stats["by_street"] == {
        "光明街道": 3, "公明街道": 5, "新湖街道": 1, "凤凰街道": 0, "玉塘街道": 0, "马田街道": 1, "unknown": 2,
    }  # fmt: skip
    assert stats["by_channel"] == {"portal": 4, "walk_in": 1, "hotline": 2, "letter": 1, "minyi": 3, "open311": 1}

    assert stats["urgent"] == 1
    assert stats["repeats"] == {"grievances": 1, "rate": round(1 / 12, 4)}
    assert stats["group_cases"] == {"clusters": 1, "grievances": 3}

    to_review = sum(scenario.first[k].decision.needs_review for k in keys)
    assert scenario.first["unclear"].decision.needs_review
    assert scenario.latest["vague"].decision.needs_review  # nobody decides it: it stays pending
    assert 2 <= to_review < 12
    assert stats["first_decision"] == {
        "automatic": 12 - to_review,
        "to_review": to_review,
        "automatic_share": round((12 - to_review) / 12, 4),
        "awaiting_review": to_review - 1,  # all but the one the reviewer decided
    }
    assert not scenario.latest["wages"].decision.needs_review  # so the re-route added no review
    assert stats["reviews"] == {
        "requested": to_review,
        "pending": to_review - 1,
        "decided": 1,
        "superseded": 0,
        "track_changed": 1,
        "area_changed": 0,
        "track_or_area_changed": 1,
        "change_rate": 1.0,
        "by_reason": {"low_confidence": to_review, "returned_by_department": 0, "reroute": 0},
    }
    assert stats["reroutes"] == {
        "decisions": 2,
        "grievances": 2,
        "by_reason": {
            "reviewer": 1, "returned_by_department": 0, "mediation_failed": 1, "mediation_refused": 0,
            "reopened": 0, "other": 0,
        },
    }  # fmt: skip


async def test_window_edges_are_instants_when_given_as_date_times(
    scenario: Scenario, router: RunningRouter, http: httpx.AsyncClient
) -> None:
    everything = (await statistics(http, router)).json()
    assert everything["received"] == 14
    assert (everything["since"], everything["until"]) == (None, None)
    assert everything["by_street"]["凤凰街道"] == 1
    # until is exclusive: the 12:00 grievance (gas, the urgent one) is not in the morning
    morning = await statistics(http, router, since="2025-06-01T16:00:00Z", until="2025-06-02T12:00:00+08:00")
    assert morning.status_code == 200, morning.text
    assert morning.json()["received"] == 4  # wages (00:00 exactly), police, lamp, lamp_again
    assert morning.json()["urgent"] == 0
    assert morning.json()["repeats"]["grievances"] == 1
    # a date-time without an offset is Shanghai time; the day before holds only its last second
    before = (await statistics(http, router, since="2025-06-01", until="2025-06-01T23:59:59.5")).json()
    assert before["received"] == 1
    assert before["by_street"]["光明街道"] == 1
    later = (await statistics(http, router, since="2025-06-03")).json()
    assert later["received"] == 1
    assert later["repeats"] == {"grievances": 0, "rate": 0.0}
    nothing = (await statistics(http, router, since="2024-01-01", until="2024-12-31")).json()
    assert nothing["received"] == 0
    assert nothing["repeats"]["rate"] is None
    assert nothing["first_decision"]["automatic_share"] is None
    assert set(nothing["by_area"].values()) == {0}


async def test_invalid_windows_are_problems(router: RunningRouter, http: httpx.AsyncClient) -> None:
    reversed_ = await statistics(http, router, since="2025-06-03", until="2025-06-02")
    assert reversed_.status_code == 422
    assert reversed_.headers["content-type"] == "application/problem+json"
    [error] = reversed_.json()["errors"]
    assert (error["field"], error["in"], error["code"]) == ("until", "query", "window_order")
    garbled = await statistics(http, router, since="yesterday")
    assert garbled.status_code == 422
    assert [e["field"] for e in garbled.json()["errors"]] == ["since"]
    assert (await statistics(http, router, until="2025-02-30")).status_code == 422
    # a daily series over 26 years would be no chart: refused, not built
    too_long = await statistics(http, router, since="2000-01-01", until="2025-12-31", interval="day")
    assert too_long.status_code == 422
    assert "2000 段" in too_long.json()["detail"]


async def test_litigation_is_counted_per_legal_body(
    scenario: Scenario, router: RunningRouter, http: httpx.AsyncClient
) -> None:
    stats = (await statistics(http, router, **DAY)).json()
    keys = [key for key, _ in IN_WINDOW]
    decisions = [scenario.latest[k].decision for k in keys]
    leads = Counter(d.departments.lead for d in decisions if d.track is Track.litigation)
    assert sum(leads.values()) == stats["by_track"]["litigation"] >= 2  # police, and wages after the re-route
    litigation = stats["litigation"]
    assert litigation["grievances"] == stats["by_track"]["litigation"]
    assert set(litigation["by_legal_body"]) == {
        "court", "procuratorate", "public-security", "justice", "labour-arbitration", "other",
    }  # fmt: skip
    assert {k: v for k, v in litigation["by_legal_body"].items() if v} == dict(leads)


async def test_a_series_per_day_week_and_month_in_shanghai_time(
    scenario: Scenario, router: RunningRouter, http: httpx.AsyncClient
) -> None:
    june = {"since": "2025-06-01", "until": "2025-06-03"}
    daily = (await statistics(http, router, **june, interval="day")).json()
    assert daily["series"]["interval"] == "day"
    buckets = daily["series"]["buckets"]
    assert [(b["start"], b["received"]) for b in buckets] == [("2025-06-01", 1), ("2025-06-02", 12), ("2025-06-03", 1)]
    one_day = (await statistics(http, router, **DAY)).json()
    assert one_day["series"] is None  # only on request
    second = buckets[1]
    assert second["by_track"] == one_day["by_track"]
    assert second["by_area"] == one_day["by_area"]
    assert second["by_street"] == one_day["by_street"]
    first = one_day["first_decision"]
    assert second["first_decision"] == {
        "automatic": first["automatic"], "to_review": first["to_review"], "automatic_share": first["automatic_share"],
    }  # fmt: skip
    assert buckets[0]["by_street"]["光明街道"] == 1 and buckets[2]["by_street"]["凤凰街道"] == 1
    # 1 June 2025 is a Sunday: its ISO week began on 26 May
    weekly = (await statistics(http, router, **june, interval="week")).json()["series"]["buckets"]
    assert [(b["start"], b["received"]) for b in weekly] == [("2025-05-26", 1), ("2025-06-02", 13)]
    monthly = (await statistics(http, router, interval="month")).json()["series"]["buckets"]
    assert [(b["start"], b["received"]) for b in monthly] == [("2025-06-01", 14)]
    # an empty stretch still has its buckets, with zeros
    quiet = (await statistics(http, router, since="2025-05-30", until="2025-05-31", interval="day")).json()
    assert [(b["start"], b["received"]) for b in quiet["series"]["buckets"]] == [("2025-05-30", 0), ("2025-05-31", 0)]


async def test_unknown_parameters_and_values_are_refused(router: RunningRouter, http: httpx.AsyncClient) -> None:
    misspelt = await statistics(http, router, since="2025-06-02", untill="2025-06-02")
    assert misspelt.status_code == 422
    assert misspelt.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in misspelt.json()["errors"]] == [("untill", "unknown_parameter")]
    old_names = await statistics(http, router, opened_from="2025-06-02")
    assert old_names.status_code == 422
    bogus_interval = await statistics(http, router, interval="fortnight")
    assert bogus_interval.status_code == 422
    assert bogus_interval.json()["errors"][0]["field"] == "interval"
    reviewer = bearer(router, Role.reviewer)
    for params in ({"status": "bogus"}, {"track": "bogus"}, {"area": "bogus"}, {"street": "bogus"},
                   {"category": "不存在的分类"}):  # fmt: skip
        refused = await http.get("/v1/reviews", params=params, headers=reviewer)
        assert refused.status_code == 422, params
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == next(iter(params))
    known = await http.get("/v1/reviews", params={"category": "城市建设和市政管理"}, headers=reviewer)
    assert known.status_code == 200


async def test_only_supervisors_and_admins_may_read_statistics(router: RunningRouter, http: httpx.AsyncClient) -> None:
    anonymous = await http.get("/v1/statistics/routing", params=DAY)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    for role, department in ((Role.department_officer, "housing"), (Role.reviewer, None)):
        forbidden = await http.get("/v1/statistics/routing", params=DAY, headers=bearer(router, role, department))
        assert forbidden.status_code == 403
        assert forbidden.json()["type"].endswith("forbidden-role")
    admin = await http.get("/v1/statistics/routing", params=DAY, headers=bearer(router, Role.admin))
    assert admin.status_code == 200


async def test_router_migrations_match_the_tables(router: RunningRouter) -> None:
    config = alembic_config("router", router.settings)

    def round_trip() -> None:
        command.check(config)  # raises if the tables in code differ from the migrated schema
        command.downgrade(config, "0001")
        command.upgrade(config, "head")
        command.check(config)

    await asyncio.to_thread(round_trip)
