"""Prometheus metrics shared by every process (DESIGN §8); services add their own beside these."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests by route template and status.", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_CONSUMED = Counter(
    "events_consumed_total", "Events handled by a consumer group, by outcome.", ["group", "type", "outcome"]
)
EVENT_HANDLING = Histogram(
    "event_handling_seconds", "Time to handle one event, including its DB transaction.", ["group"]
)
EVENT_BATCHES = Counter(
    "event_batches_total",
    "Poll batches handled in one transaction ('committed') or replayed one event per transaction.",
    ["group", "outcome"],
)
DEAD_LETTERS = Counter("dead_letters_total", "Events sent to a dead-letter topic.", ["group"])
CONSUMER_LAG = Gauge("consumer_lag", "Records behind the partition end, per topic.", ["group", "topic"])
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox rows published to Kafka.", ["schema"])
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows not yet published.", ["schema"])


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
