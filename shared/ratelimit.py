"""Per-client rate limits for public endpoints (moving window, in process memory).

One process keeps its own counters: with N intake processes a client gets at most N times the
limit, which is the accepted trade-off for not adding a shared store to the stack.
"""

from __future__ import annotations

import time

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from shared.problems import Problem


class RateLimit:
    """A FastAPI dependency: ``Depends(RateLimit("30/minute", scope="submit"))``."""

    def __init__(self, rule: str, *, scope: str) -> None:
        self.item: RateLimitItem = parse(rule)
        self.scope = scope
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        if not await self._limiter.hit(self.item, self.scope, client):
            reset_at, _remaining = await self._limiter.get_window_stats(self.item, self.scope, client)
            retry_after = max(1, int(reset_at - time.time()))
            raise Problem(
                429, slug="rate-limited", detail="提交过于频繁，请稍后再试。", headers={"Retry-After": str(retry_after)}
            )
