"""Outbound 民意速办 webhooks (handlers/webhooks.py): queued with the timeline, leased in order per
grievance, retried with backoff, given up after the last attempt."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from services.feedback.domain.webhooks import Attempt, Delivery, webhook_id
from services.feedback.handlers import webhooks
from services.feedback.handlers.context import FeedbackContext
from shared.clock import ManualClock
from shared.events.vocabulary import Channel, Status
from tests.unit.feedback.fakes import T0, FakeFeedbackUow
from tests.unit.feedback.scenario import consume, context, envelope, received, status


@pytest.fixture
def ctx(clock: ManualClock) -> FeedbackContext:
    return context(clock, minyi_webhooks=True)


TWO_STATUSES = (Status.received, Status.assigned)


def sent(uow: FakeFeedbackUow) -> list[tuple[int, str]]:
    return [(d.seq, json.loads(d.body)["data"]["status"]) for d in uow.tables.deliveries]


async def test_every_status_of_a_minyi_grievance_is_queued_with_its_stable_id(
    uow: FakeFeedbackUow, ctx: FeedbackContext
) -> None:
    filed = received(T0, channel=Channel.minyi, external_ref="MY-2026-0001")
    await consume(uow, ctx, envelope(filed), *(envelope(status(filed, s, T0)) for s in TWO_STATUSES))

    assert sent(uow) == [(1, "received"), (2, "assigned")]
    first = uow.tables.deliveries[0]
    assert (first.webhook_id, first.target) == (webhook_id(filed.grievance_id, 1), "minyi")
    body = json.loads(first.body)
    assert (body["type"], body["data"]["external_id"], body["data"]["tracking_no"]) == (
        "grievance.status.changed",
        "MY-2026-0001",
        filed.tracking_no,
    )


@pytest.mark.parametrize("minyi_webhooks", [True, False])
async def test_nothing_is_queued_for_other_channels_or_when_webhooks_are_off(
    uow: FakeFeedbackUow, clock: ManualClock, minyi_webhooks: bool
) -> None:
    ctx = context(clock, minyi_webhooks=minyi_webhooks)
    channel = Channel.portal if minyi_webhooks else Channel.minyi
    filed = received(T0, channel=channel)
    await consume(uow, ctx, envelope(filed), envelope(status(filed, Status.received, T0)))
    assert uow.tables.timeline[filed.grievance_id]
    assert uow.tables.deliveries == []


async def test_statuses_before_the_grievance_was_known_are_queued_once_it_is_and_only_once(
    uow: FakeFeedbackUow, ctx: FeedbackContext
) -> None:
    filed = received(T0, channel=Channel.minyi)
    await consume(uow, ctx, envelope(status(filed, Status.received, T0)))
    assert uow.tables.deliveries == []  # the channel was not known yet

    await consume(uow, ctx, envelope(filed, source="/grievance-platform/intake"))
    # intake publishing the grievance again (a new event) queues nothing twice
    await consume(uow, ctx, envelope(filed, source="/grievance-platform/intake"))
    assert sent(uow) == [(1, "received")]


async def lease(uow: FakeFeedbackUow, ctx: FeedbackContext) -> list[Delivery]:
    async with uow:
        return await webhooks.lease_due(uow=uow, ctx=ctx)


async def settle(uow: FakeFeedbackUow, ctx: FeedbackContext, *attempts: Attempt) -> None:
    async with uow:
        await webhooks.settle_attempts(uow=uow, ctx=ctx, attempts=attempts, jitter=lambda: 0.0)


async def test_a_failed_delivery_is_retried_with_backoff_and_holds_back_the_next_one(
    uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock
) -> None:
    filed = received(T0, channel=Channel.minyi)
    await consume(uow, ctx, envelope(filed), *(envelope(status(filed, s, T0)) for s in TWO_STATUSES))

    [first] = await lease(uow, ctx)  # the second waits for the first: in order per grievance
    assert (first.webhook_id, first.attempt) == (webhook_id(filed.grievance_id, 1), 1)
    assert await lease(uow, ctx) == []  # leased: no other dispatcher takes it meanwhile
    await settle(uow, ctx, Attempt(first, 503, "HTTP 503: busy"))
    stored = uow.tables.deliveries[0]
    assert stored.next_attempt_at == T0 + timedelta(seconds=ctx.settings.webhook_backoff_base_s)
    assert (stored.last_status, stored.last_error, stored.delivered_at) == (503, "HTTP 503: busy", None)

    assert await lease(uow, ctx) == []  # not due yet
    clock.advance(timedelta(seconds=ctx.settings.webhook_backoff_base_s))
    [retry] = await lease(uow, ctx)
    assert (retry.webhook_id, retry.attempt, retry.body) == (first.webhook_id, 2, first.body)
    await settle(uow, ctx, Attempt(retry, 200, None))
    [second] = await lease(uow, ctx)
    assert second.webhook_id == webhook_id(filed.grievance_id, 2)
    assert uow.tables.deliveries[0].delivered_at == T0 + timedelta(seconds=ctx.settings.webhook_backoff_base_s)


async def test_a_delivery_is_given_up_after_the_last_attempt_and_the_next_one_goes(
    uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock
) -> None:
    filed = received(T0, channel=Channel.minyi)
    await consume(uow, ctx, envelope(filed), *(envelope(status(filed, s, T0)) for s in TWO_STATUSES))

    for _ in range(ctx.settings.webhook_max_attempts):
        [attempt] = await lease(uow, ctx)
        assert attempt.webhook_id == webhook_id(filed.grievance_id, 1)
        await settle(uow, ctx, Attempt(attempt, None, "ConnectError: refused"))
        clock.advance(timedelta(seconds=ctx.settings.webhook_backoff_max_s))

    given_up = uow.tables.deliveries[0]
    assert (given_up.attempts, given_up.failed_at is not None, given_up.delivered_at) == (
        ctx.settings.webhook_max_attempts,
        True,
        None,
    )
    [second] = await lease(uow, ctx)
    assert second.webhook_id == webhook_id(filed.grievance_id, 2)
