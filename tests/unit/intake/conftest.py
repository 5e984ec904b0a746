"""Intake's unit tier: the use cases against in-memory repositories (fakes.py), a clock that stands
still and development keys; no Kafka, no PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.intake.domain.complainant import ComplainantIdentity
from services.intake.handlers.context import IntakeContext
from services.intake.handlers.submission import SubmitGrievance
from services.intake.settings import Settings
from shared.auth import StaffPrincipal
from shared.clock import ManualClock
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import Channel, Role
from shared.problems import TYPE_BASE, Problem
from tests.unit.intake.fakes import FakeIntakeUow, FakeUnits, MemoryStore

NOW = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
MOBILE, ID_CARD = "13812345678", "11010519491231002X"
REGISTRAR = StaffPrincipal(subject="staff-7", role=Role.registrar, department=None)


def make_context(clock: ManualClock | None = None, **settings: Any) -> IntakeContext:
    return IntakeContext.build(Settings(**settings), clock or ManualClock(NOW))


@pytest.fixture
def ctx() -> IntakeContext:
    return make_context()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def units(store: MemoryStore) -> FakeUnits:
    return FakeUnits(store)


@pytest.fixture
def uow(store: MemoryStore) -> FakeIntakeUow:
    return FakeIntakeUow(store)


def portal_command(**changes: Any) -> SubmitGrievance:
    values: dict[str, Any] = {
        "identity": ComplainantIdentity(name="陈建国", mobile=MOBILE, id_card=ID_CARD, anonymous=False),
        "channel": Channel.portal,
        "title": "小区门口积水严重",
        "content": f"每次下雨门口积水到小腿，排水沟堵了好久，请尽快疏通。电话 {MOBILE}",
        "street": "马田街道",
        "community": "将石",
        "address_detail": "将石社区二巷 5 号",
    }
    return SubmitGrievance(**{**values, **changes})


def data_of(event: CloudEvent) -> dict[str, Any]:
    return dict(event.data)


def refusal(problem: Problem) -> tuple[int, str]:
    """A refusal's status and slug, as its problem+json document will carry them."""
    return problem.status, problem.type.removeprefix(TYPE_BASE)
