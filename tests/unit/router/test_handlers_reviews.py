"""The reviewer's use cases over in-memory repositories: the queue in order of risk and waiting
time, a decision that re-routes the grievance, teaches an example and is audited, the refusals
that change nothing, and the supervisor's statistics read from one snapshot."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY

from services.router.domain.errors import InvalidDecision, ReviewAlreadyDecided, ReviewNotFound
from services.router.domain.records import ReviewFilter, ReviewItem
from services.router.domain.series import Interval
from services.router.domain.statistics import Counts
from services.router.handlers import reviews
from services.router.handlers.statistics import routing_statistics
from services.router.schemas import ReviewDecisionCreate, ReviewDecisionRead
from shared.clock import CHINA_TZ
from shared.events.contracts import GrievanceReceived
from shared.events.topics import GRIEVANCE_TRACK_LITIGATION
from shared.events.vocabulary import Track
from shared.statistics_params import Period
from tests.unit.router.fakes import FakeStatistics
from tests.unit.router.scenario import NOW, REVIEWER, Router, classification, received


async def waiting(router: Router, grievance: GrievanceReceived | None = None) -> tuple[GrievanceReceived, ReviewItem]:
    """A grievance routed with low confidence, and its pending review item."""
    grievance = grievance or received()
    await router.deliver(grievance)
    [item] = router.uow.reviews.pending_of(grievance.grievance_id)
    return grievance, item


def command(**values: Any) -> ReviewDecisionCreate:
    base = {"track": "petition", "petition_kind": "claim", "area": "城乡建设", "comment": "核实为路灯维修"}
    return ReviewDecisionCreate.model_validate(base | values)


async def decide(router: Router, review_id: str, decision: ReviewDecisionCreate) -> ReviewDecisionRead:
    async with router.uow:
        return await reviews.decide(
            uow=router.uow, ctx=router.ctx, review_id=review_id, command=decision, staff=REVIEWER
        )


async def test_a_decision_reroutes_the_grievance_teaches_an_example_and_is_audited() -> None:
    router = Router.start(classification(confidence=0.3))
    grievance, item = await waiting(router)
    published, commits = len(router.uow.events), router.uow.commits
    result = await decide(router, item.review_id, command())
    assert router.uow.commits == commits + 1  # the use case commits its one transaction
    assert (result.revision, result.decision.decided_by, result.decision.confidence) == (2, "reviewer", 1.0)
    # the area is the proposal's, so its category holds
    assert result.decision.category == item.proposed.category
    assert router.kinds()[published:] == ["routed.v1", "track.handoff.v1", "status.changed.v1"]
    assert router.events("status.changed.v1")[-1][1].data["message_zh"].startswith("经工作人员审核")
    decided = router.uow.reviews.items[item.review_id]
    assert (decided.status, decided.decided_by, decided.comment) == ("decided", "reviewer-7", "核实为路灯维修")
    [example] = router.uow.examples.examples
    assert (example.review_id, example.track, example.labelled_by) == (item.review_id, Track.petition, "reviewer-7")
    assert example.text == grievance.content
    [audit] = router.uow.audit.rows
    assert (audit.actor, audit.action, audit.subject) == ("reviewer-7", "decide_review", grievance.grievance_id)
    assert audit.detail["lead"] == result.decision.departments.lead
    row = router.uow.grievances.rows[grievance.grievance_id]
    assert (row.state, row.revision) == ("routed", 2)


async def test_a_correction_hands_the_grievance_to_the_corrected_track() -> None:
    router = Router.start(classification(confidence=0.3))
    _, item = await waiting(router)
    result = await decide(router, item.review_id, command(track="litigation", petition_kind=None, area="政法"))
    assert result.decision.track is Track.litigation and result.decision.category is None
    assert GRIEVANCE_TRACK_LITIGATION in [topic for topic, _ in router.uow.events]


async def test_a_decided_review_cannot_be_decided_again() -> None:
    router = Router.start(classification(confidence=0.3))
    _, item = await waiting(router)
    await decide(router, item.review_id, command())
    published, commits = len(router.uow.events), router.uow.commits
    with pytest.raises(ReviewAlreadyDecided) as refused:
        await decide(router, item.review_id, command(comment="再次决定"))
    assert "decided" in refused.value.message_zh
    assert (len(router.uow.events), router.uow.commits) == (published, commits)
    assert len(router.uow.examples.examples) == 1


async def test_an_unknown_review_is_not_found() -> None:
    router = Router.start()
    with pytest.raises(ReviewNotFound):
        await decide(router, "no-such-review", command())
    with pytest.raises(ReviewNotFound):
        async with router.uow:
            await reviews.show_review(uow=router.uow, review_id="no-such-review")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"petition_kind": None}, "petition_kind"),
        ({"track": "mediation"}, "petition_kind"),
        ({"category": "环境污染"}, "category"),  # a category of another area
        ({"departments": {"lead": "nobody"}}, "departments"),
    ],
)
async def test_an_invalid_decision_is_refused_and_changes_nothing(values: dict[str, Any], field: str) -> None:
    router = Router.start(classification(confidence=0.3))
    grievance, item = await waiting(router)
    published = len(router.uow.events)
    with pytest.raises(InvalidDecision) as refused:
        await decide(router, item.review_id, command(**values))
    assert refused.value.field == field
    assert len(router.uow.events) == published
    assert router.uow.reviews.pending_of(grievance.grievance_id) == [router.uow.reviews.items[item.review_id]]
    assert router.uow.examples.examples == [] and router.uow.audit.rows == []


async def test_a_decision_keeps_the_repeat_link_and_does_not_alert_again() -> None:
    router = Router.start(classification(confidence=0.3, urgent_signals=("gas_fire",)))
    first = received("楼道里燃气味很重，怀疑燃气泄漏", title="燃气", phone="p-1", at=NOW - timedelta(days=3))
    await router.deliver(first)
    _, item = await waiting(router, received("楼道里燃气味很重，怀疑燃气泄漏，请来查看", title="燃气", phone="p-1"))
    alerts = router.kinds().count("alert.raised.v1")
    result = await decide(router, item.review_id, command())
    assert result.decision.repeat_of == first.grievance_id
    assert "repeat" in [reason.kind for reason in result.decision.reasons]
    assert result.decision.urgent and router.kinds().count("alert.raised.v1") == alerts


async def test_the_queue_lists_urgent_items_first_then_the_oldest() -> None:
    router = Router.start(classification(confidence=0.3))
    router.classifier.by_title["燃气"] = classification(confidence=0.3, urgent_signals=("gas_fire",))
    older, newer, urgent = received(title="一"), received(title="二"), received("燃气味很重", title="燃气")
    for grievance in (older, newer, urgent):
        await router.deliver(grievance)
        router.clock.advance(timedelta(hours=1))
    async with router.uow:
        page = await reviews.list_reviews(uow=router.uow, wanted=ReviewFilter(), limit=10, offset=0)
        calm = await reviews.list_reviews(uow=router.uow, wanted=ReviewFilter(urgent=False), limit=1, offset=1)
        detail = await reviews.show_review(uow=router.uow, review_id=page.items[0].review_id)
    assert [item.title for item in page.items] == ["燃气", "一", "二"] and page.total == 3
    assert [item.title for item in calm.items] == ["二"] and calm.total == 2
    assert (detail.grievance_id, detail.content, detail.urgent) == (urgent.grievance_id, "燃气味很重", True)


async def test_the_pending_gauge_counts_what_waits_for_a_reviewer() -> None:
    router = Router.start(classification(confidence=0.3))
    _, item = await waiting(router)
    await waiting(router)
    await decide(router, item.review_id, command())
    async with router.uow:
        assert await reviews.refresh_pending_gauge(uow=router.uow) == 1
    assert REGISTRY.get_sample_value("router_reviews_pending") == 1


async def test_statistics_are_read_from_one_snapshot_and_add_up() -> None:
    router = Router.start()
    router.uow.statistics = FakeStatistics(
        Counts(received=4, first_automatic=3, first_to_review=1, dimensions={"track": {"petition": 4}}),
        {
            (date(2026, 11, 3), "petition", "城乡建设", "光明街道", True): 1,
            (date(2026, 11, 4), "petition", "城乡建设", None, False): 3,
        },
    )
    window = Period(datetime(2026, 11, 1, tzinfo=CHINA_TZ), datetime(2026, 12, 1, tzinfo=CHINA_TZ))
    async with router.uow:
        plain = await routing_statistics(uow=router.uow, catalog=router.ctx.catalog, window=window, as_of=NOW)
        assert router.uow.statistics.calls == ["snapshot", "counts"]  # the snapshot comes first
        monthly = await routing_statistics(
            uow=router.uow, catalog=router.ctx.catalog, window=window, as_of=NOW, interval=Interval.month
        )
    assert plain.series is None and plain.first_decision.automatic_share == 0.75
    assert plain.by_track == {"litigation": 0, "mediation": 0, "petition": 4}
    assert monthly.series is not None
    [november] = monthly.series.buckets
    assert (november.received, november.by_street["unknown"], november.first_decision.to_review) == (4, 3, 1)
