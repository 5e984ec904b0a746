"""The first ceiling for bench/intake_load.py: a bare FastAPI endpoint that parses the same request
model and answers 202, with no database, no outbox and no middleware.

    uvicorn bench.bare_app:app
"""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from bench.intake_model import intake_request_model

GrievanceCreate = intake_request_model()

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/grievances", status_code=202)
async def bare(body: GrievanceCreate) -> dict[str, str]:  # type: ignore[valid-type]  # found at run time
    # FastAPI parses and validates the body with the model, as it does in intake.
    return {"grievance_id": str(uuid.uuid4()), "title": body.title}  # type: ignore[attr-defined]
