"""The router's HTTP API: the reviewer's queue and the supervisor's routing statistics."""

from __future__ import annotations

from fastapi import APIRouter

from services.router.api import reviews, statistics

ROUTERS: tuple[APIRouter, ...] = (reviews.router, statistics.router)
