"""The throwaway schema of the minimal durable accept (bench/minimal_accept_app.py): a grievance
table and an outbox table of the shape of shared.db.outbox's, created before the run and dropped
after it by the benchmark."""

from __future__ import annotations

import re

import asyncpg  # type: ignore[import-untyped]

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def checked(schema: str) -> str:
    """The name, if it is a plain identifier (it is put into SQL text)."""
    if not SCHEMA_NAME.match(schema):
        raise ValueError(f"not a plain schema name: {schema!r}")
    return schema


def schema_ddl(schema: str) -> list[str]:
    s = checked(schema)
    return [
        f"CREATE SCHEMA {s}",
        f"""CREATE TABLE {s}.grievance (
            grievance_id uuid PRIMARY KEY,
            tracking_no text NOT NULL UNIQUE,
            channel text NOT NULL,
            title text NOT NULL,
            content text NOT NULL,
            complainant jsonb NOT NULL,
            address jsonb NOT NULL,
            received_at timestamptz NOT NULL
        )""",
        f"""CREATE TABLE {s}.outbox (
            id bigserial PRIMARY KEY,
            topic text NOT NULL,
            key text NOT NULL,
            event_id text NOT NULL UNIQUE,
            event_type text NOT NULL,
            value bytea NOT NULL,
            headers jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz,
            attempts integer NOT NULL DEFAULT 0,
            last_error text
        )""",
        f"CREATE INDEX ON {s}.outbox (id) WHERE published_at IS NULL",
        f"CREATE INDEX ON {s}.outbox (key, id) WHERE published_at IS NULL",
    ]


async def create_schema(dsn: str, schema: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            for statement in schema_ddl(schema):
                await conn.execute(statement)
    finally:
        await conn.close()


async def drop_schema(dsn: str, schema: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {checked(schema)} CASCADE")
    finally:
        await conn.close()


async def count_rows(dsn: str, schema: str) -> tuple[int, int]:
    """(grievance rows, outbox rows): every 202 must have left one of each."""
    s = checked(schema)
    conn = await asyncpg.connect(dsn)
    try:
        grievances = await conn.fetchval(f"SELECT count(*) FROM {s}.grievance")  # noqa: S608 - checked name
        events = await conn.fetchval(f"SELECT count(*) FROM {s}.outbox")  # noqa: S608 - checked name
    finally:
        await conn.close()
    return int(grievances), int(events)
