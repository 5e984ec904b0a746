"""The shared event codec alone: µs per event to decode a record, to build and encode an event as
a service publishes it, and to make its outbox row, over the events the pipeline publishes most.

    .venv/bin/python bench/event_codec.py [--rounds 2000] [--profile out.prof]

No Kafka, no database: the same code paths the consumers and the outbox run (``from_kafka``,
``UnitOfWork.publish``'s ``payload_event``, ``to_kafka``, ``outbox_row``) on realistic payloads —
a filed grievance of ~200 Chinese characters, its routing decision, the track hand-off that
carries both and a status change — built from the contracts. ``--profile`` writes a cProfile of a
run of all three (read it with ``python -m pstats`` or bench/profile_summary.py).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from shared.db.outbox import outbox_row
from shared.events.citizen_status import citizen_status
from shared.events.contracts import (
    ComplainantView,
    Departments,
    EventPayload,
    GrievanceReceived,
    GrievanceRouted,
    Reason,
    RoutingDecision,
    TrackHandoff,
    track_topic,
)
from shared.events.envelope import CloudEvent, KafkaRecord, from_kafka, payload_event, service_source, to_kafka
from shared.events.vocabulary import Area, Channel, Status, Track

CONTENT = (
    "我家住在光明街道碧眼社区某小区三栋,楼上住户自去年十月起每晚十一点后在家中搬动家具、"
    "跳绳,噪音持续到凌晨一两点,家中老人和正在备考的孩子长期无法入睡。我们多次上门沟通,"
    "对方态度恶劣,还在楼道里堆放杂物堵塞消防通道。物业管理处称无权处理,社区网格员来过一次"
    "也没有结果。请求有关部门依法查处噪音扰民和占用消防通道的行为,并组织双方调解,"
    "让我们恢复正常生活。附件为噪音分贝记录和楼道照片。"
)


def received(number: int) -> GrievanceReceived:
    return GrievanceReceived(
        grievance_id=f"5f0c1d2e-8a4b-4c6d-9e7f-{number:012d}",
        tracking_no=f"GM-20260314-{number:06d}",
        tracking_token_hash="9b" * 32,
        channel=Channel.portal,
        received_at=datetime(2026, 3, 14, 8, 30, 12, 345678, tzinfo=UTC),
        title="楼上住户深夜噪音扰民并占用消防通道",
        content=CONTENT,
        street="光明街道",
        community="碧眼社区",
        address="光明街道碧眼社区某小区三栋1203室",
        respondent="1303室住户",
        desired_outcome="停止噪音,清理楼道杂物,组织调解",
        attachments=["att-1.jpg", "att-2.pdf"],
        complainant=ComplainantView(
            name_masked="张*",
            phone_masked="138****1234",
            phone_pseudonym="a1" * 32,
            id_card_pseudonym="c3" * 32,
        ),
    )


def decision() -> RoutingDecision:
    return RoutingDecision(
        track=Track.mediation,
        area=Area.urban_rural_construction,
        departments=Departments(lead="guangming-street-office", co=["housing-bureau", "fire-brigade"]),
        confidence=0.8731,
        category="物业管理",
        item="噪音扰民",
        model_version="2026.03.01-a1b2c3",
        reasons=[
            Reason(
                kind="rule",
                code="neighbour-dispute",
                description="邻里之间的噪音纠纷,尚未进入法律程序",
                legal_basis="《信访工作条例》第三十三条;《人民调解法》第十七条",
                weight=2.5,
            ),
            Reason(kind="model", code="track:mediation", description="模型判定为矛盾纠纷", weight=0.8731),
            Reason(kind="model", code="category:物业管理", description="二级分类概率", weight=0.6612),
        ],
    )


def payloads(number: int) -> list[EventPayload]:
    """The four events a grievance makes most of on its way: filed, routed, handed off, status."""
    grievance = received(number)
    moment = grievance.received_at + timedelta(seconds=2)
    return [
        grievance,
        GrievanceRouted(
            grievance_id=grievance.grievance_id,
            tracking_no=grievance.tracking_no,
            revision=1,
            decision=decision(),
            routed_at=moment,
        ),
        TrackHandoff(grievance=grievance, decision=decision(), revision=1, handed_off_at=moment),
        citizen_status(
            grievance_id=grievance.grievance_id,
            tracking_no=grievance.tracking_no,
            status=Status.assigned,
            stage="routing",
            message_zh="您的信访事项已分派至光明街道办事处,请耐心等待办理。",
            actor="光明区信访局",
            occurred_at=moment,
            due_at=moment + timedelta(days=15),
            detail={"track": "mediation", "lead": "guangming-street-office", "revision": 1},
        ),
    ]


def build(payload: EventPayload, number: int) -> CloudEvent:
    """The event as ``UnitOfWork.publish`` builds it."""
    return payload_event(
        payload,
        source=service_source("router"),
        subject=f"grievance-{number}",
        correlation_id=f"corr-{number:08d}",
    )


def timed(label: str, rounds: int, events_per_round: int, run: Callable[[], object]) -> float:
    """Best of seven runs of ``rounds`` calls of ``run``, in µs per event. The garbage collector
    is off while timing, as in timeit: its pauses land on whichever run they fall in."""
    best = float("inf")
    for _ in range(7):
        gc.disable()
        started = time.perf_counter()
        for _ in range(rounds):
            run()
        best = min(best, time.perf_counter() - started)
        gc.enable()
    per_event = best / (rounds * events_per_round) * 1e6
    print(f"{label:<28}{per_event:8.2f} µs/event")
    return per_event


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--profile", help="write a cProfile of decode + build/encode + outbox_row here")
    args = parser.parse_args()

    mix = payloads(1)
    topics = [p.topic if not isinstance(p, TrackHandoff) else track_topic(Track.mediation) for p in mix]
    events = [build(p, 1) for p in mix]
    records: list[KafkaRecord] = [to_kafka(e) for e in events]
    sizes = ", ".join(f"{type(p).__name__} {len(r.value)} B" for p, r in zip(mix, records, strict=True))
    print(f"mix of {len(mix)} events: {sizes}")

    def decode() -> None:
        for r in records:
            from_kafka(r.key, r.value, r.headers)

    def build_encode() -> None:
        for p in mix:
            to_kafka(build(p, 1))

    def outbox() -> None:
        for p, topic in zip(mix, topics, strict=True):
            outbox_row(topic, build(p, 1))

    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.rounds):
            decode()
            outbox()
        profile.disable()
        profile.dump_stats(args.profile)
        print(f"profile written to {args.profile}")
        return
    timed("decode (from_kafka)", args.rounds, len(mix), decode)
    timed("build + encode (to_kafka)", args.rounds, len(mix), build_encode)
    timed("build + outbox_row", args.rounds, len(mix), outbox)


if __name__ == "__main__":
    main()
