"""Fixtures of feedback's handler tests: a clock the test moves, and the fake unit of work on it."""

from __future__ import annotations

import pytest

from shared.clock import ManualClock
from tests.unit.feedback.fakes import T0, FakeFeedbackUow


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def uow(clock: ManualClock) -> FakeFeedbackUow:
    return FakeFeedbackUow(clock)
