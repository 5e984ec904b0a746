"""The ceiling for bench/intake_load.py: a bare FastAPI endpoint that parses the same request
model and answers 202, with no database, no outbox and no middleware."""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from services.intake.schemas import GrievanceCreate

app = FastAPI()


@app.post("/v1/grievances", status_code=202)
async def bare(body: GrievanceCreate) -> dict[str, str]:
    return {"grievance_id": str(uuid.uuid4()), "title": body.title}
