"""Fixtures shared by every test directory."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.namespace import Namespace, create_namespace, drop_namespace


@pytest.fixture(scope="module")
async def namespace() -> AsyncIterator[Namespace]:
    """A fresh database (all service schemas migrated) and topic prefix for one test module."""
    ns = await create_namespace()
    try:
        yield ns
    finally:
        await drop_namespace(ns)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by folder, so ``-m "not integration and not e2e"`` runs the unit tests alone."""
    for item in items:
        parts = item.path.parts
        if "integration" in parts:
            item.add_marker(pytest.mark.integration)
        elif "e2e" in parts:
            item.add_marker(pytest.mark.e2e)
