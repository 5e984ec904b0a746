"""Following Open311 requests: the listing and one request, with where each stands."""

from __future__ import annotations

from services.intake.open311.listing import RequestQuery, RequestRow
from services.intake.repositories import IntakeUnitOfWork


async def find_requests(*, uow: IntakeUnitOfWork, query: RequestQuery) -> list[RequestRow]:
    """The Open311 requests matching ``query``, newest first (at most the specification's limit)."""
    return await uow.open311_requests.find(query)


async def find_request(*, uow: IntakeUnitOfWork, tracking_no: str) -> RequestRow | None:
    return await uow.open311_requests.get(tracking_no)
