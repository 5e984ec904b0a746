"""Routing a poll batch with its reads made once (handlers/batch.py, domain/batch.py) decides
exactly what routing its grievances one transaction at a time decides: the same decisions, the
same repeats (重复件) to earlier and to in-batch grievances, the same group cases (集体访) formed
with stored and in-batch grievances, the same rotations applied, the same outbox events.

The same history and the same batch are routed both ways on the real database and the results
compared; a use-case test, so the consumer runner is not involved (test_batch_consumption.py
covers it)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

from services.router.handlers.batch import prepare_batch
from services.router.handlers.context import RouterContext
from services.router.handlers.routing import route_received
from services.router.repositories import RouterUnitOfWork
from shared.events.contracts import ComplainantPseudonymsRotated, ComplainantView, GrievanceReceived
from shared.runtime import Infrastructure
from tests.support.namespace import Namespace

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEAK = "楼上邻居家卫生间漏水，漏到我家天花板，墙皮一块块往下掉，找他好几次都不理"
LEAK_AGAIN = "楼上卫生间一直漏水到我家天花板，墙皮都掉了，邻居还是不理，麻烦帮忙协调"
NOISE = "小区旁边工地每天晚上十一点以后还在施工打桩，噪音特别大，老人孩子都睡不着觉"
SMELL = "垃圾中转站臭味很大，夏天整条街都是臭味，苍蝇蚊子特别多，希望尽快处理"
WAGES = "公司拖欠我们三十多个工友半年工资，老板电话不接，再不解决明天我们就一起去区政府门口拉横幅"
OTHERS = [
    "小区门口的路灯坏了很久了，晚上出行很不方便",
    "公交站台的遮阳棚破损，下雨天没法等车",
    "孩子上学的学位申请一直没有结果，想咨询进度",
    "医保报销材料交了两个月还没有到账",
    "小区电梯经常困人，物业不及时维修",
]


def grievance(
    content: str, *, minutes: int, phone: str | None = None, street: str | None = "光明街道", gid: str | None = None
) -> GrievanceReceived:
    return GrievanceReceived(
        grievance_id=gid or str(uuid.uuid4()),
        tracking_no=f"GM-20261201-{uuid.uuid4().int % 1_000_000:06d}",
        tracking_token_hash="0" * 64,
        channel="portal",
        received_at=NOW + timedelta(minutes=minutes),
        title="诉求",
        content=content,
        street=street,
        complainant=ComplainantView(name_masked="陈**", phone_pseudonym=phone or uuid.uuid4().hex),
    )


async def route_one_by_one(infra: Infrastructure, ctx: RouterContext, items: Sequence[GrievanceReceived]) -> None:
    for item in items:
        async with RouterUnitOfWork.factory_of(infra.uow)() as uow:
            await route_received(uow=uow, ctx=ctx, received=item)
            await uow.commit()


async def route_as_batch(infra: Infrastructure, ctx: RouterContext, items: Sequence[GrievanceReceived]) -> None:
    async with RouterUnitOfWork.factory_of(infra.uow)() as uow:
        await prepare_batch(uow, ctx, items)
        assert uow.batch is not None
        for item in items:
            await route_received(uow=uow, ctx=ctx, received=item)
        await uow.commit()


async def keep_rotation(infra: Infrastructure, grievance_id: str, phone: str) -> None:
    async with RouterUnitOfWork.factory_of(infra.uow)() as uow:
        await uow.rotations.keep(
            ComplainantPseudonymsRotated(
                grievance_id=grievance_id,
                key_id="k2",
                previous_key_id="k1",
                phone_pseudonym=phone,
                id_card_pseudonym=None,
                rotated_at=NOW,
            )
        )
        await uow.commit()


async def snapshot(db: asyncpg.Connection) -> dict[str, Any]:
    """Everything routing wrote, with the random parts (group-case ids) made comparable."""
    # Every column a batch writes in its one statement (batch_writes.py), but the stamps of the
    # moment and the random ids.
    rows = await db.fetch(
        "SELECT id, tracking_no, received, title, content, street, community, phone_pseudonym, id_card_pseudonym, "
        "received_at, state, revision, track, area, category, item, model_version, repeat_of, cluster_id, "
        "alerted_at IS NOT NULL AS alerted, excluded_departments, decision FROM router.grievance"
    )
    clusters: dict[str, set[str]] = {}
    grievances = {}
    for row in rows:
        if row["cluster_id"]:
            clusters.setdefault(row["cluster_id"], set()).add(row["id"])
        grievances[row["id"]] = {k: v for k, v in row.items() if k not in ("cluster_id", "decision", "received")} | {
            "decision": _without_cluster(json.loads(row["decision"])),
            "received": json.loads(row["received"]),
        }
    history = [
        (r["grievance_id"], r["revision"], r["decided_by"], r["category"], r["model_version"],
         json.dumps(_without_cluster(json.loads(r["decision"])), sort_keys=True))
        for r in await db.fetch("SELECT * FROM router.routing_decision")
    ]  # fmt: skip
    reviews = [
        (r["grievance_id"], r["revision"], r["reason"], r["reason_detail"], r["confidence"], r["urgent"], r["status"],
         json.dumps(_without_cluster(json.loads(r["proposed"])), sort_keys=True))
        for r in await db.fetch("SELECT * FROM router.review_item")
    ]  # fmt: skip
    outbox = await db.fetch("SELECT key, topic, event_type, event_id, value, headers FROM router.outbox ORDER BY id")
    per_key: dict[str, list[tuple[str, str, Any]]] = {}
    for row in outbox:
        # The headers name the row's own event; the payload says what it says, the moment aside.
        headers = dict(json.loads(row["headers"]))
        assert headers["ce_id"] == row["event_id"] and headers["ce_type"] == row["event_type"]
        assert headers["ce_subject"] == row["key"]
        per_key.setdefault(row["key"], []).append((row["topic"], row["event_type"], _stable(json.loads(row["value"]))))
    return {
        "grievances": grievances,
        "clusters": sorted(sorted(members) for members in clusters.values()),
        "history": sorted(tuple(r) for r in history),
        "reviews": sorted(tuple(r) for r in reviews),
        "outbox": per_key,
        "rotations_left": await db.fetchval("SELECT count(*) FROM router.pending_pseudonym_rotation"),
    }


def _without_cluster(decision: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in decision.items() if k != "cluster_id"}


def _stable(payload: Any) -> Any:
    """``payload`` without what differs between two runs: stamps of the moment and random ids."""
    if isinstance(payload, dict):
        moment = ("routed_at", "handed_off_at", "requested_at", "raised_at", "occurred_at", "review_id", "cluster_id")
        return {k: _stable(v) for k, v in payload.items() if k not in moment}
    if isinstance(payload, list):
        return [_stable(v) for v in payload]
    return payload


async def reset(db: asyncpg.Connection) -> None:
    await db.execute(
        "TRUNCATE router.grievance, router.routing_decision, router.review_item, router.pending_pseudonym_rotation, "
        "router.outbox"
    )


def scenario() -> tuple[list[GrievanceReceived], list[GrievanceReceived], tuple[str, str]]:
    """A stored history, then a batch that repeats and clusters with it and with itself."""
    p1, rotated_old, r1 = "p1-" + uuid.uuid4().hex, "old-" + uuid.uuid4().hex, "r1-" + uuid.uuid4().hex
    h1 = grievance(LEAK, minutes=-60 * 24 * 10, phone=p1)
    history = [
        h1,
        grievance(NOISE, minutes=-60 * 30, street="公明街道"),
        grievance(NOISE, minutes=-60 * 20, street="公明街道"),
        grievance(OTHERS[0], minutes=-60 * 5),
    ]
    in_batch_first = grievance(SMELL, minutes=3, phone=r1)
    with_rotation = grievance(LEAK_AGAIN, minutes=12, phone=rotated_old)
    batch = [
        grievance(LEAK_AGAIN, minutes=1, phone=p1),  # repeats a stored grievance
        grievance(NOISE, minutes=2, street="公明街道"),  # third complainant: a group case with stored ones
        in_batch_first,
        grievance(NOISE, minutes=4, street="公明街道"),  # joins that group case
        grievance(SMELL + "，还是没人管", minutes=5, phone=r1),  # repeats an in-batch grievance
        grievance(WAGES, minutes=6, street="新湖街道"),  # urgent: alerted on a row not written yet
        grievance(WAGES, minutes=7, street="新湖街道"),
        grievance(WAGES, minutes=8, street="新湖街道"),  # a group case of in-batch grievances only
        in_batch_first,  # the same grievance again: routed once
        h1,  # routed before the batch: nothing happens
        *[grievance(text, minutes=20 + i, street=None) for i, text in enumerate(OTHERS)],
        with_rotation,  # its rotation makes it p1's: a repeat of the stored one
    ]
    return history, batch, (with_rotation.grievance_id, p1)


# No threshold hands every decision off (whatever the model's confidence in the scenario's texts);
# a strict one sends them all to the review queue.
@pytest.mark.parametrize("review_threshold", [0.0, 0.999], ids=["handed-off", "reviewed"])
async def test_a_batch_routes_exactly_as_one_grievance_per_transaction(
    namespace: Namespace, router_units: tuple[Infrastructure, RouterContext], review_threshold: float
) -> None:
    infra, ctx = router_units
    ctx = replace(ctx, settings=ctx.settings.model_copy(update={"review_threshold": review_threshold}))
    history, batch, (rotated_id, new_phone) = scenario()
    db = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        results = []
        for route in (route_one_by_one, route_as_batch):
            await reset(db)
            await route_one_by_one(infra, ctx, history)
            await keep_rotation(infra, rotated_id, new_phone)
            await route(infra, ctx, batch)
            results.append(await snapshot(db))
    finally:
        await db.close()
    one_by_one, batched = results
    # The scenario exercises what it claims to (else equality would prove little).
    stored = one_by_one["grievances"]
    assert stored[batch[0].grievance_id]["repeat_of"] == history[0].grievance_id
    assert stored[batch[4].grievance_id]["repeat_of"] == batch[2].grievance_id
    assert stored[rotated_id]["repeat_of"] == history[0].grievance_id
    assert stored[rotated_id]["phone_pseudonym"] == new_phone
    assert stored[batch[5].grievance_id]["alerted"]
    assert sorted(len(c) for c in one_by_one["clusters"]) == [3, 4]
    assert one_by_one["rotations_left"] == 0
    waiting = {review[0] for review in one_by_one["reviews"]}
    assert len(waiting) == (len(stored) if review_threshold else 0)
    assert len(stored) == len(history) + len(batch) - 2
    # And the batch decided the same, wrote the same and published the same.
    assert batched["grievances"] == one_by_one["grievances"]
    assert batched["clusters"] == one_by_one["clusters"]
    assert batched == one_by_one
