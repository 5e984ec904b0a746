"""The router's consumer classifies the next batch while the one before commits (consumers.warm);
that batch's prepare step then takes those classifications, which are exactly the classifier's, and
classifies only what was not done ahead (classifier/ahead.py)."""

from __future__ import annotations

from services.router.classifier import Classifier, GrievanceText
from services.router.classifier.ahead import ClassifiedAhead
from services.router.consumers import warm
from services.router.handlers.context import RouterContext
from services.router.settings import Settings
from shared.catalog import load_catalog
from shared.clock import SystemClock
from shared.events.contracts import ComplainantView, GrievanceReceived
from shared.events.envelope import payload_event

NOISE = GrievanceText("噪音", "工地晚上十一点以后还在打桩，吵得孩子睡不着", "光明街道")
WAGES = GrievanceText("欠薪", "老板拖欠我们三个月工资不给", "公明街道")
LIGHTS = GrievanceText("路灯", "小区门口路灯坏了半个月没人修", None)


class Counting(Classifier):
    """The classifier, counting the texts it is asked to classify."""

    asked: list[GrievanceText]

    def classify_many(self, items, constraints=None):  # type: ignore[no-untyped-def]
        self.asked.extend(items)
        return super().classify_many(items, constraints)


def counting(classifier: Classifier) -> Counting:
    made = Counting(classifier.model, classifier.rules, classifier.chooser, classifier.streets)
    made.asked = []
    return made


def test_what_was_classified_ahead_is_taken_and_only_the_rest_is_classified(classifier: Classifier) -> None:
    ahead, counted = ClassifiedAhead(), counting(classifier)
    ahead.classify_ahead(counted, [NOISE, WAGES, NOISE])
    assert counted.asked == [NOISE, WAGES] and len(ahead) == 2
    counted.asked.clear()

    got = ahead.classify_many(counted, [WAGES, LIGHTS, NOISE, LIGHTS])

    assert counted.asked == [LIGHTS]
    assert got == classifier.classify_many([WAGES, LIGHTS, NOISE, LIGHTS])
    assert len(ahead) == 0  # taken once: a later batch classifies afresh
    counted.asked.clear()
    ahead.classify_many(counted, [NOISE])
    assert counted.asked == [NOISE]


def test_classifications_of_another_classifier_are_not_taken(classifier: Classifier) -> None:
    ahead, first, second = ClassifiedAhead(), counting(classifier), counting(classifier)
    ahead.classify_ahead(first, [NOISE])
    ahead.classify_many(second, [NOISE])
    assert second.asked == [NOISE]


def test_the_router_warms_the_received_grievances_of_the_next_batch(classifier: Classifier) -> None:
    ctx = RouterContext(settings=Settings(), classifier=classifier, catalog=load_catalog(), clock=SystemClock())
    received = GrievanceReceived(
        grievance_id="g-1", tracking_no="GM-20261206-000001", tracking_token_hash="0" * 64, channel="portal",
        received_at=SystemClock().now(), title=NOISE.title, content=NOISE.text, street=NOISE.street,
        complainant=ComplainantView(name_masked="张*", phone_pseudonym="p-1"),
    )  # fmt: skip
    event = payload_event(received, source="/grievance-platform/intake", subject="g-1")

    warm(ctx)([event])

    assert len(ctx.ahead) == 1
    assert ctx.ahead.classify_many(counting(classifier), [NOISE]) == [classifier.classify(NOISE)]
