"""Router metrics (DESIGN §8): classification counts per track, reviews waiting."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from shared.events.contracts import RoutingDecision

CLASSIFICATIONS = Counter(
    "router_classifications_total",
    "Routing decisions by track, by who decided, and whether they wait for a reviewer.",
    ["track", "decided_by", "needs_review"],
)
REVIEWS_PENDING = Gauge("router_reviews_pending", "Review items waiting for a reviewer (read from the database).")


def count_decision(decision: RoutingDecision) -> None:
    CLASSIFICATIONS.labels(decision.track.value, decision.decided_by, str(decision.needs_review).lower()).inc()
