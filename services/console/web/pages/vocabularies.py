"""The services' label tables (state names, decisions, grounds, parties...) as their APIs answer
them (GET /v1/cases/vocabulary, GET /v1/mediations/vocabulary): the console names what a
service says in the service's own words instead of importing its code.

The tables are the same for every staff member and change only with a deployment, so one answer
is kept in ``app.state`` for a few minutes rather than asked again on every page."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from services.console.web.service_api import ServiceApi

TTL_SECONDS = 300.0
PATHS = {"casework": "/v1/cases/vocabulary", "mediation": "/v1/mediations/vocabulary"}


@dataclass(frozen=True, slots=True)
class Cached:
    expires_at: float  # time.monotonic()
    tables: dict[str, Any]


async def vocabulary(request: Request, api: ServiceApi, service: str) -> dict[str, Any]:
    """The service's label tables, from the cache while fresh, else from its API (as the viewer)."""
    cache: dict[str, Cached] | None = getattr(request.app.state, "vocabularies", None)
    if cache is None:
        cache = request.app.state.vocabularies = {}
    now = time.monotonic()
    entry = cache.get(service)
    if entry is None or entry.expires_at <= now:
        tables: dict[str, Any] = await api.get(service, PATHS[service])
        entry = cache[service] = Cached(expires_at=now + TTL_SECONDS, tables=tables)
    return entry.tables
