"""The mediation schema's migrations match the tables in code, and go down and up again."""

from __future__ import annotations

import asyncio

from alembic import command

from services.mediation.settings import Settings
from services.migrate import alembic_config
from tests.support.namespace import Namespace


async def test_alembic_check_is_clean_and_downgrade_round_trips(namespace: Namespace) -> None:
    config = alembic_config("mediation", namespace.settings(Settings))

    def round_trip() -> None:
        command.check(config)  # raises if the tables in code differ from the migrated schema
        command.downgrade(config, "base")
        command.upgrade(config, "head")
        command.check(config)

    await asyncio.to_thread(round_trip)
