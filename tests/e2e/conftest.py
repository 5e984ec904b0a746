"""End-to-end fixtures: the whole platform as processes on the real broker and database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.namespace import Namespace
from tests.support.stack import Stack, start_stack


@pytest.fixture(scope="module")
async def stack(namespace: Namespace) -> AsyncIterator[Stack]:
    running = await start_stack(namespace)
    try:
        yield running
    finally:
        await running.stop()
