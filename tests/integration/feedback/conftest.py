"""Feedback's integration tests need only its own schema: migrating just it keeps them independent
of other services' migrations while those are being written."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.namespace import Namespace, create_namespace, drop_namespace


@pytest.fixture(scope="module")
async def namespace() -> AsyncIterator[Namespace]:
    ns = await create_namespace(["feedback"])
    try:
        yield ns
    finally:
        await drop_namespace(ns)
