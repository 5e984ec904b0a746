"""Fixtures shared by every test directory."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from services.router.training.artifact import ensure_artifact
from shared.logging import configure_logging
from tests.support.namespace import Namespace, create_namespace, drop_namespace


@pytest.fixture(scope="session", autouse=True)
def router_model() -> None:
    """The router's trained model, made once before any test starts a service process. On a fresh
    clone the first router process would otherwise train it while its readiness wait runs: about
    35 s on an idle core, more than the 90 s wait on a machine busy with other work."""
    ensure_artifact()


@pytest.fixture(scope="module")
async def namespace() -> AsyncIterator[Namespace]:
    """A fresh database (all service schemas migrated) and topic prefix for one test module."""
    ns = await create_namespace()
    try:
        yield ns
    finally:
        await drop_namespace(ns)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the platform logs during the test, as its JSON lines (the root logger's handlers are
    put back afterwards)."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging(service="test", json=True)
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by folder, so ``-m "not integration and not e2e"`` runs the unit tests alone."""
    for item in items:
        parts = item.path.parts
        if "integration" in parts:
            item.add_marker(pytest.mark.integration)
        elif "e2e" in parts:
            item.add_marker(pytest.mark.e2e)
