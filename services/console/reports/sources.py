"""Read one year's figures from the services' statistics APIs over HTTP, as the caller.

The caller's bearer token is forwarded, so each service applies its own permissions; the
console never sees a service's tables.
"""

from __future__ import annotations

import asyncio
import calendar
from datetime import date
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from services.console.reports.figures import (
    AnnualFigures,
    Assistance,
    Evaluations,
    Handling,
    Mediation,
    OnTime,
    Recommendations,
    Routing,
    Satisfaction,
)

M = TypeVar("M", bound=BaseModel)
ROUTING = "/v1/statistics/routing"
ON_TIME = "/v1/statistics/on-time"
HANDLING = "/v1/statistics/handling"
RECOMMENDATIONS = "/v1/statistics/recommendations"
ASSISTANCE = "/v1/statistics/assistance"
EVALUATIONS = "/v1/statistics/evaluations"
MEDIATION = "/v1/mediations/statistics"
SATISFACTION = "/v1/statistics/satisfaction"


class SourceError(Exception):
    """A service refused the caller, failed or could not be reached; ``status`` is its answer."""

    def __init__(self, service: str, status: int | None, detail: str) -> None:
        super().__init__(f"{service}: {status or 'unreachable'}: {detail}")
        self.service = service
        self.status = status
        self.detail = detail


class StatisticsSource:
    """The five services' statistics endpoints, reached with one HTTP client and one token."""

    def __init__(self, http: httpx.AsyncClient, urls: dict[str, str], token: str) -> None:
        self._http = http
        self._urls = urls
        self._headers = {"Authorization": f"Bearer {token}"}

    async def _get(self, service: str, path: str, params: dict[str, str]) -> Any:
        try:
            response = await self._http.get(f"{self._urls[service]}{path}", params=params, headers=self._headers)
        except httpx.HTTPError as exc:
            raise SourceError(service, None, f"{type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise SourceError(service, response.status_code, response.text[:500])
        return response.json()

    async def _read(self, model: type[M], service: str, path: str, params: dict[str, str]) -> M:
        data = await self._get(service, path, params)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise SourceError(service, 502, f"unexpected answer from {path}: {exc}") from exc

    async def _optional(self, model: type[M], service: str, path: str, params: dict[str, str]) -> M | None:
        """None when the service has no such endpoint (404): the report says so instead."""
        try:
            return await self._read(model, service, path, params)
        except SourceError as exc:
            if exc.status == 404:
                return None
            raise

    async def year(self, year: int) -> AnnualFigures:
        first, last = date(year, 1, 1), date(year, 12, 31)
        days = {"since": first.isoformat(), "until": last.isoformat()}
        months = [
            {"since": date(year, m, 1).isoformat(), "until": date(year, m, calendar.monthrange(year, m)[1]).isoformat()}
            for m in range(1, 13)
        ]
        # Every endpoint takes dates or instants (docs/statistics.md); instants here, until exclusive.
        instants = {"since": f"{year}-01-01T00:00:00", "until": f"{year + 1}-01-01T00:00:00"}
        routing, monthly, handling, on_time, mediation, satisfaction = await asyncio.gather(
            self._read(Routing, "router", ROUTING, days),
            asyncio.gather(*(self._read(Routing, "router", ROUTING, m) for m in months)),
            self._read(Handling, "casework", HANDLING, days),
            self._read(OnTime, "casework", ON_TIME, days),
            self._read(Mediation, "mediation", MEDIATION, days),
            self._read(Satisfaction, "feedback", SATISFACTION, instants),
        )
        recommendations, assistance, evaluations = await asyncio.gather(
            self._optional(Recommendations, "casework", RECOMMENDATIONS, days),
            self._optional(Assistance, "casework", ASSISTANCE, days),
            self._optional(Evaluations, "casework", EVALUATIONS, days),
        )
        return AnnualFigures(
            year=year,
            routing=routing,
            months=[m.received for m in monthly],
            handling=handling,
            on_time=on_time,
            mediation=mediation,
            satisfaction=satisfaction,
            recommendations=recommendations,
            assistance=assistance,
            evaluations=evaluations,
        )
