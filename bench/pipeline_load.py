"""The citizens of bench/pipeline.py: each files one grievance at intake and then watches its own
timeline on feedback's SSE stream until the automatic pipeline has handed it to people.

Arrivals are open loop: grievance ``i`` is due at ``start + i / rate`` and is sent then whether or
not earlier ones have been answered, and its latency counts from when it was due, not from when
the client got round to sending it (no coordinated omission: a stalled server makes the waiting
grievances late, and that lateness is measured). All times are wall-clock seconds of this machine,
the same clock the services stamp ``occurred_at`` with.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp

# Where the pipeline hands a grievance to people, as soak_ledger.SETTLED: a department has it
# (assigned, or the legal track), a mediation is opened, or the routing went to the review queue.
SETTLED = frozenset({"assigned", "mediation_opened", "transferred_legal", "under_review", "not_accepted"})
RETRY_STATUSES = frozenset({404, 429, 503})  # not known to feedback within its hold, or busy: try again
MATTERS = (
    ("小区排水沟堵塞积水", "每次下雨小区门口积水到小腿，排水沟堵了很久，老人孩子出门都要蹚水，请尽快疏通。"),
    ("邻居装修漏水协商不成", "楼上邻居装修后卫生间漏水到我家天花板，协商多次对方不愿维修赔偿，希望社区帮忙调解。"),
    ("法院判决后对方拒不执行", "我和对方的借款纠纷法院已经判决，对方至今拒不履行，申请强制执行也没有进展，请求督促。"),
    ("公司拖欠工资三个月", "我在一家电子厂上班，公司已经拖欠我们三个月工资，多次讨要无果，请求劳动部门帮助追讨。"),
    ("路灯损坏多日未修", "社区主干道有五盏路灯坏了半个月，晚上一片漆黑，行人安全没有保障，请尽快维修。"),
    ("物业擅自上调停车费", "小区物业今年突然上调停车费，没有公示也没有业主大会表决，希望和物业协商解决。"),
    ("学校门口上下学拥堵", "学校门口上下学时段车辆乱停乱放，交通拥堵严重，孩子过马路很危险，请交警部门整治。"),
    ("工地夜间施工噪音扰民", "附近工地每天晚上十一点以后还在打桩施工，噪音很大，影响周边居民休息，请有关部门查处。"),
)
STREETS = ("光明街道", "公明街道", "新湖街道", "凤凰街道", "玉塘街道", "马田街道")


def grievance_body(run: str, index: int) -> dict[str, Any]:
    """A valid portal submission, one complainant each (so none is a repeat of another)."""
    title, content = MATTERS[index % len(MATTERS)]
    return {
        "complainant": {"name": "测试人", "mobile": f"139{uuid.uuid4().int % 10**8:08d}"},
        "address": {"street": STREETS[index % len(STREETS)], "community": "将石", "detail": f"{index} 号"},
        "title": title,
        "content": f"{content}（{run}-{index:05d}）",
    }


@dataclass
class Journey:
    index: int
    due: float  # when it was to be sent (open loop), or was sent (closed loop)
    sent: float = 0.0
    accepted: float | None = None  # the 202 arrived
    tracking_no: str = ""
    token: str = ""
    grievance_id: str = ""
    stream_opened: float | None = None  # the SSE stream's 200 arrived
    occurred: dict[str, float] = field(default_factory=dict)  # status -> the service's occurred_at
    settled_status: str | None = None
    settled_delivered: float | None = None  # the settling status arrived on the stream
    projected: float | None = None  # feedback's recorded_at of the settling entry (read afterwards)
    stream_refusals: int = 0  # 404 (not known to feedback within its hold), 429 or 503 before the stream opened
    refused: bool = False  # intake answered 503 (load shed, or its database away): nothing stored
    timed_out: bool = False  # the submission got no answer in time (error says which timeout)
    error: str | None = None


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, str]]:
    """(event, data) of each complete event on a text/event-stream; comments are skipped."""
    event, data = "", list[str]()
    async for line in lines:
        if not line:
            if data:
                yield event or "message", "\n".join(data)
            event, data = "", list[str]()
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)


async def text_lines(stream: aiohttp.StreamReader) -> AsyncIterator[str]:
    async for line in stream:
        yield line.decode().rstrip("\r\n")


def epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


class Citizens:
    """Submits at intake and follows on feedback, within one deadline per rate."""

    def __init__(self, *, intake_url: str, feedback_url: str, run: str) -> None:
        self.run = run
        self.intake_url = intake_url
        self.feedback_url = feedback_url
        # aiohttp rather than httpx here: with thousands of requests in flight (an open loop ahead
        # of a saturated intake), httpcore's pool scans every connection for every request and the
        # generator took a third of the machine's CPU, which the services under test then lacked.
        # Timeouts as httpx's were: 30 s to connect and for each read, none for the whole request.
        self.submit_session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=30),
        )
        self.stream_session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=None, sock_connect=30)
        )

    async def close(self) -> None:
        await asyncio.gather(self.submit_session.close(), self.stream_session.close())

    async def submit(self, journey: Journey) -> bool:
        journey.sent = time.time()
        body = grievance_body(self.run, journey.index)
        try:
            async with self.submit_session.post(f"{self.intake_url}/v1/grievances", json=body) as response:
                if response.status == 503:
                    # Counted apart from errors: a refusal with Retry-After is intake protecting
                    # itself, and the grievance is not sent again (the offered load stays as set).
                    journey.refused = True
                    return False
                if response.status != 202:
                    journey.error = f"submit: {response.status} {(await response.text())[:200]}"
                    return False
                answer = await response.json()
        except (aiohttp.ClientError, TimeoutError) as exc:
            journey.error = f"submit: {exc!r}"
            journey.timed_out = isinstance(exc, TimeoutError)  # aiohttp's ServerTimeoutError is one
            return False
        journey.accepted = time.time()
        journey.tracking_no, journey.token = answer["tracking_no"], answer["tracking_token"]
        journey.grievance_id = answer["grievance_id"]
        return True

    async def follow(self, journey: Journey) -> None:
        """Watch the timeline until a settling status arrives (reconnecting if the stream drops)."""
        url = f"{self.feedback_url}/v1/grievances/{journey.tracking_no}/events"
        headers = {"Accept": "text/event-stream", "X-Tracking-Token": journey.token}
        # Each refused attempt costs feedback a lookup: back off like a patient browser would, so the
        # benchmark's own polling does not become feedback's load while it lags behind.
        backoff = 0.1
        while journey.settled_status is None:
            try:
                async with self.stream_session.get(url, headers=headers) as response:
                    if response.status in RETRY_STATUSES:
                        journey.stream_refusals += 1
                        await asyncio.sleep(backoff)
                        backoff = min(backoff * 2, 1.0)
                        continue
                    if response.status != 200:
                        journey.error = f"stream: {response.status}"
                        return
                    journey.stream_opened = journey.stream_opened or time.time()
                    async for event, data in sse_events(text_lines(response.content)):
                        if event == "status" and self._note(journey, json.loads(data)):
                            return
            except (aiohttp.ClientError, TimeoutError):
                await asyncio.sleep(backoff)  # the stream is replayed from the start: nothing is missed

    @staticmethod
    def _note(journey: Journey, entry: dict[str, Any]) -> bool:
        status = entry["status"]
        journey.occurred.setdefault(status, epoch(entry["occurred_at"]))
        if status in SETTLED:
            journey.settled_status = status
            journey.settled_delivered = time.time()
            return True
        return False

    async def journey(self, journey: Journey) -> None:
        if await self.submit(journey):
            await self.follow(journey)

    async def open_loop(self, wave: Wave, rate: float, count: int) -> None:
        """Offer ``count`` grievances at ``rate``/s on schedule, whatever the answers."""
        start = time.time()
        for n in range(count):
            due = start + n / rate
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            wave.lag_s = max(wave.lag_s, time.time() - due)
            wave.launch(self.journey, Journey(wave.next_index(), due=due))

    async def closed_loop(self, wave: Wave, submitters: int, seconds: float) -> None:
        """As fast as intake answers: ``submitters`` loops that each send the next grievance once the
        previous one is accepted (its latency then counts from sending: this is the throughput probe)."""
        end = time.time() + seconds

        async def submitter() -> None:
            while time.time() < end:
                journey = Journey(wave.next_index(), due=time.time())
                wave.journeys.append(journey)
                if await self.submit(journey):
                    wave.tasks.append(asyncio.create_task(self.follow(journey)))

        await asyncio.gather(*(submitter() for _ in range(submitters)))


@dataclass
class Wave:
    """The grievances of one offered rate, kept by the caller so a deadline loses none of them."""

    first_index: int
    journeys: list[Journey] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    lag_s: float = 0.0  # how far the generator itself fell behind its schedule

    def next_index(self) -> int:
        return self.first_index + len(self.journeys)

    def launch(self, run: Callable[[Journey], Coroutine[Any, Any, None]], journey: Journey) -> None:
        self.journeys.append(journey)
        self.tasks.append(asyncio.create_task(run(journey)))
