"""Mediation integration fixtures: a namespace with the mediation schema, and the service running
in this process (API over ASGI, worker, relay) against the real broker and database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.mediation.harness import MediationHarness
from tests.support.namespace import Namespace, create_namespace, drop_namespace


@pytest.fixture(scope="module")
async def namespace() -> AsyncIterator[Namespace]:
    """The shared namespace fixture, narrowed to the mediation schema: the other services' schemas
    are not used here, and their migrations (being written concurrently) cannot break these tests."""
    ns = await create_namespace(["mediation"])
    try:
        yield ns
    finally:
        await drop_namespace(ns)


@pytest.fixture(scope="module")
async def service(namespace: Namespace) -> AsyncIterator[MediationHarness]:
    async with MediationHarness(namespace) as harness:
        yield harness
