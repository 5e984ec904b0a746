"""Per-client rate limits for public endpoints: sliding-window counters in a store.

Services give their limits a PostgreSQL store (shared.db.rate_limit_store) so every process of
the service counts against one budget; without one, a limit keeps per-process counters in memory.
The client is the direct peer unless a trusted proxy forwarded the request (shared.client_address).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from fastapi import Request
from limits import RateLimitItem, parse

from shared.client_address import IPNetwork, client_address
from shared.logging import get_logger
from shared.outages import is_infrastructure_outage
from shared.problems import Problem
from shared.sliding_window import Count, WindowPosition, admits, position, retry_after

log = get_logger(__name__)
OUTAGE_WARNING_EVERY_S = 10.0


class CounterStore(Protocol):
    async def hit(self, *, scope: str, client: str, limit: int, at: WindowPosition) -> Count:
        """Count one hit of ``client`` in ``scope`` unless it would exceed ``limit``."""
        ...


class MemoryCounterStore:
    """Counters in this process only: N processes allow N times the limit."""

    def __init__(self) -> None:
        self._hits: dict[tuple[str, str, float], tuple[int, float]] = {}
        self._purged_at = -math.inf

    async def hit(self, *, scope: str, client: str, limit: int, at: WindowPosition) -> Count:
        self._purge(at)
        previous = self._hits.get((scope, client, at.previous_start), (0, 0.0))[0]
        current = self._hits.get((scope, client, at.start), (0, 0.0))[0]
        if not admits(limit=limit, previous=previous, current=current, weight=at.previous_weight):
            return Count(previous=previous, current=current, admitted=False)
        self._hits[(scope, client, at.start)] = (current + 1, at.expires)
        return Count(previous=previous, current=current + 1, admitted=True)

    def _purge(self, at: WindowPosition) -> None:
        now = at.start + at.elapsed
        if now - self._purged_at < at.length:
            return
        self._purged_at = now
        self._hits = {key: value for key, value in self._hits.items() if value[1] > now}


class RateLimit:
    """A FastAPI dependency: ``Depends(RateLimit("30/minute", scope="submit", store=...))``."""

    def __init__(
        self,
        rule: str,
        *,
        scope: str,
        store: CounterStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.item: RateLimitItem = parse(rule)
        if self.item.amount < 1:
            raise ValueError(f"rate limit {rule!r} admits nothing")
        self.scope = scope
        self.store: CounterStore = store or MemoryCounterStore()
        self._clock = clock
        self._warned_at = -math.inf

    async def __call__(self, request: Request) -> None:
        client = client_address(
            request.client.host if request.client else None,
            request.headers.getlist("x-forwarded-for"),
            _trusted_proxies(request),
        )
        at = position(self._clock(), float(self.item.get_expiry()))
        try:
            count = await self.store.hit(scope=self.scope, client=client, limit=self.item.amount, at=at)
        except Exception as exc:
            if not is_infrastructure_outage(exc):
                raise
            # Fail open: with the database down the request meets the outage's 503 in its own
            # transaction anyway, and a limiter that refused everything would hide that cause.
            self._warn_outage(exc)
            return
        if not count.admitted:
            wait = retry_after(limit=self.item.amount, previous=count.previous, current=count.current, at=at)
            raise Problem(
                429,
                slug="rate-limited",
                detail="请求过于频繁，请稍后再试。",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )

    def _warn_outage(self, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._warned_at >= OUTAGE_WARNING_EVERY_S:
            self._warned_at = now
            log.warning("rate limit store unavailable, letting requests through", scope=self.scope, error=repr(exc))


def _trusted_proxies(request: Request) -> Sequence[IPNetwork]:
    settings = getattr(request.app.state, "settings", None)
    proxies: Sequence[IPNetwork] = getattr(settings, "trusted_proxies", ())
    return proxies
