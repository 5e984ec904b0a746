"""The in-memory repositories stand in for every method of the real ones: a method added to a
repository without its fake would let a handler test reach PostgreSQL code by inheritance."""

from __future__ import annotations

import inspect

import pytest

from services.feedback.repositories import FeedbackUnitOfWork
from tests.unit.feedback import fakes

PAIRS = [
    (fake.__mro__[1], fake)
    for fake in (
        fakes.FakeGrievanceRepository,
        fakes.FakeTimelineRepository,
        fakes.FakeRatingRepository,
        fakes.FakeReviewRequestRepository,
        fakes.FakeSatisfactionStatisticsRepository,
        fakes.FakeWebhookDeliveryRepository,
    )
]


@pytest.mark.parametrize(("real", "fake"), PAIRS, ids=[real.__name__ for real, _ in PAIRS])
def test_every_public_method_is_overridden(real: type, fake: type) -> None:
    public = {name for name, _ in inspect.getmembers(real, inspect.isfunction) if not name.startswith("_")}
    assert public, f"{real.__name__} has no public methods?"
    inherited = sorted(name for name in public if getattr(fake, name) is getattr(real, name))
    assert not inherited, f"{fake.__name__} inherits {inherited} from {real.__name__}"


def test_the_fake_unit_of_work_carries_every_repository() -> None:
    uow = fakes.FakeFeedbackUow()
    for name in FeedbackUnitOfWork.__annotations__:
        assert getattr(uow, name).__class__.__name__.startswith("Fake"), name
