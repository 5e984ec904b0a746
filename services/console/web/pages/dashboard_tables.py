"""The dashboard's tables, made from the statistics APIs' answers exactly as they come. Pure.

Every chart is drawn from one of these tables (dashboard_charts.py), so the chart, the table next
to it and the exported file always show the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.console.reports.labels import TRACKS
from services.console.web.pages.exports import Cell, Column, Table
from services.console.web.render import department_name
from shared.events.vocabulary import Area, Street, Track

TOTAL = "合计"
UNKNOWN_STREET = "unknown"
OTHER_BODY = "other"  # the router's key for a litigation lead that is no 政法 body
MEDIATION_TYPES = {"people": "人民调解", "administrative": "行政调解", "judicial": "司法调解"}
PERIOD = Column("时段")
# (bucket label, the router's figures for that bucket), in time order
Series = list[tuple[str, dict[str, Any]]]


def _count(value: Any) -> int:
    return int(value or 0)


def _series_table(
    key: str, title: str, keys: Sequence[tuple[str, str]], field: str, routing: dict[str, Any], series: Series
) -> Table:
    """Buckets down, one column per value of ``field`` (by_track …), a total column and row."""
    table = Table(key, title, (PERIOD, *(Column(label, "count") for _, label in keys), Column(TOTAL, "count")))
    for label, answer in series:
        counts = answer.get(field, {})
        table.rows.append((label, *(_count(counts.get(k)) for k, _ in keys), _count(answer.get("received"))))
    counts = routing.get(field, {})
    table.rows.append((TOTAL, *(_count(counts.get(k)) for k, _ in keys), _count(routing.get("received"))))
    table.total_rows = 1
    return table


def received_tables(routing: dict[str, Any], series: Series) -> list[Table]:
    tracks = [(t.value, TRACKS[t.value]) for t in Track]
    areas = [(a.value, a.value) for a in Area]
    streets = [(s.value, s.value) for s in Street] + [(UNKNOWN_STREET, "未知")]
    return [
        _series_table("received_track", "受理量（按类别）", tracks, "by_track", routing, series),
        _series_table("received_area", "受理量（按责任领域）", areas, "by_area", routing, series),
        _series_table("received_street", "受理量（按街道）", streets, "by_street", routing, series),
    ]


def automatic_table(routing: dict[str, Any], series: Series) -> Table:
    columns = (PERIOD, Column("自动分流", "count"), Column("转人工审核", "count"), Column("自动分流占比", "rate"))
    table = Table("automatic", "自动分流占比", columns, total_rows=1)
    for label, answer in [*series, (TOTAL, routing)]:
        first = answer.get("first_decision", {})
        table.rows.append(
            (label, _count(first.get("automatic")), _count(first.get("to_review")), first.get("automatic_share"))
        )
    return table


def on_time_table(on_time: dict[str, Any]) -> Table:
    columns = (
        Column("承办部门"),
        Column("到期已办结", "count"),
        Column("按期办结", "count"),
        Column("超期未办结", "count"),
        Column("按期办结率", "rate"),
    )
    table = Table("on_time", "各部门按期办结率", columns, note="按时限到期日统计；超期未办结的不计入按期办结率。")
    for row in on_time.get("departments", []):
        table.rows.append(
            (
                row["department"]["name"],
                _count(row.get("completed")),
                _count(row.get("on_time")),
                _count(row.get("overdue")),
                row.get("on_time_rate"),
            )
        )
    return table


def _outcomes(label: str, counts: dict[str, Any]) -> tuple[Cell, ...]:
    fields = ("total", "agreed", "failed", "refused", "withdrawn", "open")
    return (label, *(_count(counts.get(f)) for f in fields), counts.get("success_rate"))


def mediation_table(mediation: dict[str, Any]) -> Table:
    columns = (
        Column("调解类型"),
        *(Column(label, "count") for label in ("案件数", "达成协议", "调解不成", "拒绝调解", "撤回", "进行中")),
        Column("调解成功率", "rate"),
    )
    table = Table(
        "mediation", "调解成功率", columns, total_rows=1, note="成功率 = 达成协议 ÷（达成协议 + 调解不成 + 拒绝调解）。"
    )
    by_type = mediation.get("by_type", {})
    for code, label in MEDIATION_TYPES.items():
        table.rows.append(_outcomes(label, by_type.get(code, {})))
    table.rows.append(_outcomes(TOTAL, mediation.get("overall", {})))
    return table


def _ratings(label: str, counts: dict[str, Any]) -> tuple[Cell, ...]:
    return (
        label,
        _count(counts.get("total")),
        _count(counts.get("satisfied")),
        _count(counts.get("basically_satisfied")),
        _count(counts.get("dissatisfied")),
        counts.get("satisfaction_rate"),
        _count(counts.get("reopen_requested")),
        counts.get("reopen_rate"),
    )


def satisfaction_table(satisfaction: dict[str, Any]) -> Table:
    columns = (
        Column("类别"),
        *(Column(label, "count") for label in ("评价数", "满意", "基本满意", "不满意")),
        Column("满意率", "rate"),
        Column("申请重办", "count"),
        Column("重办率", "rate"),
    )
    table = Table("satisfaction", "满意率与重办率", columns, total_rows=1, note="满意率 =（满意 + 基本满意）÷ 评价数。")
    groups = {g.get("key"): g for g in satisfaction.get("by_track", [])}
    for code, label in TRACKS.items():
        if code in groups:
            table.rows.append(_ratings(label, groups[code]))
    table.rows.append(_ratings(TOTAL, satisfaction.get("overall", {})))
    return table


def repeat_table(routing: dict[str, Any], satisfaction: dict[str, Any]) -> Table:
    columns = (Column("口径"), Column("件数", "count"), Column("重复件", "count"), Column("重复件率", "rate"))
    table = Table("repeats", "重复件率", columns, note="两种口径在较长时段内一致，时段边缘可能略有差异。")
    repeats = routing.get("repeats", {})
    table.rows.append(
        (
            "按受理时间（分流服务）",
            _count(routing.get("received")),
            _count(repeats.get("grievances")),
            repeats.get("rate"),
        )
    )
    latest = satisfaction.get("repeat", {})
    table.rows.append(
        (
            "按最近分流时间（反馈服务）",
            _count(latest.get("routed")),
            _count(latest.get("repeats")),
            latest.get("repeat_rate"),
        )
    )
    return table


def litigation_table(routing: dict[str, Any], handling: dict[str, Any]) -> Table:
    """涉法涉诉 separated to the 政法 bodies: where the router sent them (by the grievances received),
    and casework's 转送 (by the cases opened) — both per body, with their totals."""
    columns = (Column("政法机关"), Column("分流至该机关", "count"), Column("已转送", "count"))
    table = Table("litigation", "涉法涉诉分离至政法机关", columns, total_rows=1)
    table.note = "分流件数按受理时间统计；转送件数按案件立案时间统计。"
    litigation = routing.get("litigation") or {}
    routed: dict[str, Any] = litigation.get("by_legal_body") or {}
    transferred = {b["department"]["code"]: b for b in handling.get("transfers_by_body", [])}
    names = {code: b["department"]["name"] for code, b in transferred.items()}
    for code in [*routed, *(c for c in transferred if c not in routed)]:
        name = "其他" if code == OTHER_BODY else names.get(code) or department_name(code)
        table.rows.append((name, _count(routed.get(code)), _count(transferred.get(code, {}).get("transfers"))))
    routed_total = litigation.get("grievances", routing.get("by_track", {}).get(Track.litigation.value))
    table.rows.append((TOTAL, _count(routed_total), _count(handling.get("transfers"))))
    return table
