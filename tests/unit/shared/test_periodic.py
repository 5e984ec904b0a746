"""A periodic part survives a failed round, counts it, stops promptly, and never overlaps rounds."""

from __future__ import annotations

import asyncio
import time

import pytest
from structlog.testing import capture_logs

from shared.periodic import ROUND_FAILURES, PeriodicPart, running


def _failures(name: str) -> float:
    return float(ROUND_FAILURES.labels(name)._value.get())


async def _until(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


async def test_a_failed_round_is_counted_and_followed_by_more_rounds() -> None:
    calls: list[int] = []

    async def round() -> None:
        calls.append(len(calls))
        if len(calls) <= 2:
            raise ConnectionError("database restarting: secret row 42")

    before = _failures("test_survivor")
    part = PeriodicPart("test_survivor", round, interval=0.01)
    with capture_logs() as logs:
        task = asyncio.create_task(part.run())
        await _until(lambda: len(calls) >= 5)
        part.stop()
        await asyncio.wait_for(task, 1)
    assert _failures("test_survivor") - before == 2
    assert task.exception() is None
    failed = [entry for entry in logs if entry["event"] == "periodic round failed"]
    assert [(e["part"], e["error_type"]) for e in failed] == [("test_survivor", "ConnectionError")] * 2
    assert "secret row 42" not in repr(logs)  # the type is logged, never the message


async def test_the_first_round_waits_for_the_initial_delay() -> None:
    started: list[float] = []

    async def round() -> None:
        started.append(time.monotonic())

    begin = time.monotonic()
    part = PeriodicPart("test_delay", round, interval=10, initial_delay=0.2)
    async with running(part):
        await _until(lambda: started)
    assert started[0] - begin >= 0.2
    assert len(started) == 1  # the next round was 10 s away when the block ended


async def test_stop_is_prompt_between_rounds() -> None:
    async def round() -> None:
        return None

    part = PeriodicPart("test_stop", round, interval=3600)
    task = asyncio.create_task(part.run())
    await asyncio.sleep(0.05)
    began = time.monotonic()
    part.stop()
    await asyncio.wait_for(task, 1)
    assert time.monotonic() - began < 0.5


async def test_a_round_stuck_at_shutdown_is_cancelled_after_the_grace() -> None:
    cancelled = asyncio.Event()

    async def round() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    part = PeriodicPart("test_stuck", round, interval=1, stop_grace=0.1)
    task = asyncio.create_task(part.run())
    await asyncio.sleep(0.05)
    part.stop()
    await asyncio.wait_for(task, 1)
    assert cancelled.is_set()


async def test_rounds_never_overlap_with_a_round_asked_for_by_hand() -> None:
    inside = 0
    most = 0

    async def round() -> int:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.02)
        inside -= 1
        return 7

    part = PeriodicPart("test_overlap", round, interval=0.001)
    async with running(part):
        answers = await asyncio.gather(*(part.run_once() for _ in range(5)))
    assert answers == [7] * 5
    assert most == 1


async def test_a_round_asked_for_by_hand_raises_to_its_caller() -> None:
    async def round() -> None:
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        await PeriodicPart("test_by_hand", round, interval=1).run_once()


def test_the_interval_must_be_positive() -> None:
    async def round() -> None:
        return None

    with pytest.raises(ValueError, match="positive"):
        PeriodicPart("test_interval", round, interval=0)
