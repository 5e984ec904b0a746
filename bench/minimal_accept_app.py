"""The second ceiling for bench/intake_load.py: the *minimal durable accept*. FastAPI parses the same
request model as intake, then one asyncpg transaction inserts a grievance row and one outbox row
(the shape of shared.db.outbox's table) into a throwaway schema; the answer is 202.

What it leaves out is what intake adds on top of a durable accept: the ORM, the tracking-number
sequence, encryption of the identity, pseudonyms, masking of free text, idempotency keys, the rate
limiter, the second outbox row, middleware, metrics. The benchmark creates the schema before it
starts this app and drops it afterwards (bench/accept_schema.py).

    BENCH_ACCEPT_DSN=postgresql://... BENCH_ACCEPT_SCHEMA=bench_accept_x \\
        uvicorn bench.minimal_accept_app:create_app --factory
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped]
from fastapi import FastAPI, Request

from bench.accept_schema import checked
from bench.intake_model import intake_request_model

GrievanceCreate = intake_request_model()
# Intake's SQLAlchemy pool holds up to pool_size + max_overflow = 20 connections: the same here.
POOL_MAX = 20


def create_app() -> FastAPI:
    dsn = os.environ["BENCH_ACCEPT_DSN"]
    s = checked(os.environ["BENCH_ACCEPT_SCHEMA"])
    insert_grievance = (
        f"INSERT INTO {s}.grievance (grievance_id, tracking_no, channel, title, content, complainant, address,"  # noqa: S608
        " received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    insert_event = (
        f"INSERT INTO {s}.outbox (topic, key, event_id, event_type, value, headers)"  # noqa: S608
        " VALUES ($1, $2, $3, $4, $5, $6)"
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=2, max_size=POOL_MAX)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/grievances", status_code=202)
    async def accept(body: GrievanceCreate, request: Request) -> dict[str, str]:  # type: ignore[valid-type]
        grievance_id = uuid.uuid4()
        event_id = str(uuid.uuid4())
        tracking_no = f"GM-BENCH-{grievance_id.hex[:12].upper()}"
        received_at = datetime.now(UTC)
        submitted = body.model_dump(mode="json")  # type: ignore[attr-defined]
        # The event a relay would publish: the submission as JSON, keyed by the grievance id.
        value = json.dumps(
            {
                "grievance_id": str(grievance_id),
                "tracking_no": tracking_no,
                "received_at": received_at.isoformat(),
                **submitted,
            },
            ensure_ascii=False,
        ).encode()
        headers = json.dumps([["ce_id", event_id], ["ce_type", "bench.grievance.received.v1"]])
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                insert_grievance,
                grievance_id,
                tracking_no,
                submitted["channel"],
                submitted["title"],
                submitted["content"],
                json.dumps(submitted["complainant"], ensure_ascii=False),
                json.dumps(submitted["address"], ensure_ascii=False),
                received_at,
            )
            await conn.execute(
                insert_event,
                "grievance.received.v1",
                str(grievance_id),
                event_id,
                "bench.grievance.received.v1",
                value,
                headers,
            )
        return {"grievance_id": str(grievance_id), "tracking_no": tracking_no, "status": "received"}

    return app
