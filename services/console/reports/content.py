"""The annual report's text, tables and charts, in the order of 《信访工作条例》第四十一条 (一)–(四).

Format-neutral blocks: pdf.py and word.py lay the same content out, so both files say the same.
Only counts are shown: no complainant, no 检举控告 person or target, no text of any case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.console.reports import labels as zh
from services.console.reports.figures import AnnualFigures, Assistance

TOP_DEPARTMENTS = 10
TOP_CATEGORIES = 10


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0 the title, 1 an element of the annual report (§41), 2 a subsection


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


@dataclass(frozen=True)
class Chart:
    title: str
    items: list[tuple[str, int]]
    horizontal: bool = False


Block = Heading | Text | Table | Chart
SECTION_TITLES = (
    "一、信访事项的数据统计、涉及领域以及被投诉较多的机关单位",
    "二、转送、交办、督办情况",
    "三、提出改进工作、完善政策、追究责任建议及采纳情况",
    "四、其他事项",
)


def title(year: int) -> str:
    return f"{year}年度信访工作报告"


def _count_table(header: str, items: Sequence[tuple[str, int]], total: int) -> Table:
    rows = [(label, str(n), zh.percent(zh.ratio(n, total))) for label, n in items]
    return Table((header, "件数", "占比"), rows)


def _named(counts: dict[str, int], table: dict[str, str]) -> list[tuple[str, int]]:
    return [(zh.name(table, code), n) for code, n in counts.items()]


def statistics_section(f: AnnualFigures) -> list[Block]:
    """(一): volumes per track, month, channel, street, area and category; the agencies most complained about."""
    r = f.routing
    months = [(f"{m}月", n) for m, n in enumerate(f.months, start=1)]
    tracks = _named(r.by_track, zh.TRACKS)
    channels = _named(r.by_channel, zh.CHANNELS)
    streets = _named(r.by_street, zh.STREETS)
    areas = sorted(r.by_area.items(), key=lambda item: -item[1])
    categories = sorted(r.by_category.items(), key=lambda item: -item[1])[:TOP_CATEGORIES]
    kinds = _named(r.by_petition_kind, zh.PETITION_KINDS)
    leads = f.handling.by_lead_department[:TOP_DEPARTMENTS]
    blocks: list[Block] = [
        Heading(SECTION_TITLES[0], 1),
        Text(
            f"{f.year}年共登记信访事项 {r.received} 件，其中紧急事项 {r.urgent} 件，"
            f"重复信访 {r.repeats.grievances} 件，集体访 {r.group_cases.clusters} 批 {r.group_cases.grievances} 件。"
        ),
        Heading("（一）按办理类别", 2),
        _count_table("办理类别", tracks, r.received),
        Chart("按办理类别统计", tracks),
        Heading("（二）按月份", 2),
        Table(("月份", "件数"), [(label, str(n)) for label, n in months]),
        Chart("按月份统计", months),
        Heading("（三）按来源渠道", 2),
        _count_table("渠道", channels, r.received),
        Chart("按来源渠道统计", channels),
        Heading("（四）按街道", 2),
        _count_table("街道", streets, r.received),
        Chart("按街道统计", streets),
        Heading("（五）信访事项涉及领域", 2),
        _count_table("责任领域", areas, r.received),
        Chart("按责任领域统计", [a for a in areas if a[1]] or areas, horizontal=True),
    ]
    if categories:
        blocks += [Heading("（六）主要二级分类", 2), _count_table("领域/分类", categories, r.received)]
    else:
        blocks += [Heading("（六）主要二级分类", 2), Text("无（本年度的分流决定未记录二级分类）。")]
    blocks += [
        Heading("（七）信访事项类型", 2),
        _count_table("类型", kinds, sum(r.by_petition_kind.values())),
        Heading("（八）被投诉较多的机关单位", 2),
        Text(
            f"按主办件数排列前 {TOP_DEPARTMENTS} 位（案件办理服务本年度立案 {f.handling.cases} 件）。"
            "检举控告只列件数，不列检举控告人、被检举控告人及任何事项内容。"
        ),
        Table(
            ("序号", "机关单位", "主办件数", "其中检举控告"),
            [(str(i), d.department.name, str(d.cases), str(d.reports)) for i, d in enumerate(leads, start=1)],
        )
        if leads
        else Text("无。"),
    ]
    if leads:
        blocks.append(Chart("主办件数较多的机关单位", [(d.department.name, d.cases) for d in leads], horizontal=True))
    return blocks


def handling_section(f: AnnualFigures) -> list[Block]:
    """(二): 交办 to departments, 转送 to 政法 bodies, 督办 of clocks past their due day."""
    h = f.handling
    overdue = sum(d.overdue for d in f.on_time.departments)
    blocks: list[Block] = [
        Heading(SECTION_TITLES[1], 1),
        Table(
            ("事项", "件数"),
            [
                ("交办有关部门（含改派）", str(h.assignments)),
                ("转送政法机关（涉法涉诉）", str(h.transfers)),
                ("督办案件", str(h.supervisions.cases)),
                ("督办环节（办理期限届满未办结）", str(h.supervisions.clocks)),
                ("目前仍逾期未办结的环节", str(overdue)),
            ],
        ),
        Chart("转送、交办、督办", [("交办", h.assignments), ("转送", h.transfers), ("督办", h.supervisions.cases)]),
    ]
    if h.transfers_by_body:
        blocks += [
            Heading("转送政法机关明细", 2),
            Table(("政法机关", "转送件数"), [(b.department.name, str(b.transfers)) for b in h.transfers_by_body]),
        ]
    return blocks


def recommendations_section(f: AnnualFigures) -> list[Block]:
    """(三): recommendations made and their adoption, from casework when it counts them."""
    blocks: list[Block] = [Heading(SECTION_TITLES[2], 1)]
    rec = f.recommendations
    if rec is None or not rec.rows:
        note = (
            "无。本年度未提出建议。"
            if rec is not None
            else "无。说明：案件办理服务尚未提供建议统计接口，本节数据暂缺，待接入后补报。"
        )
        return [*blocks, Text(note)]
    kinds = rec.by_kind()
    answered = rec.total("answered")
    adopted = rec.total("adopted") + rec.total("partly_adopted")
    blocks += [
        Text(
            f"共提出建议 {rec.total('issued')} 件，已书面反馈 {answered} 件，其中采纳 {rec.total('adopted')} 件、"
            f"部分采纳 {rec.total('partly_adopted')} 件、未采纳 {rec.total('not_adopted')} 件，"
            f"采纳率 {zh.percent(zh.ratio(adopted, answered))}；逾期未反馈 {rec.total('overdue')} 件。"
        ),
        Table(
            ("建议类型", "提出", "已反馈", "采纳", "部分采纳", "未采纳", "逾期未反馈"),
            [
                (
                    zh.name(zh.RECOMMENDATION_KINDS, k),
                    str(row.issued),
                    str(row.answered),
                    str(row.adopted),
                    str(row.partly_adopted),
                    str(row.not_adopted),
                    str(row.overdue),
                )
                for k, row in kinds.items()
            ],
        ),
        Chart("建议提出情况", [(zh.name(zh.RECOMMENDATION_KINDS, k), row.issued) for k, row in kinds.items()]),
    ]
    return blocks


def other_section(f: AnnualFigures) -> list[Block]:
    """(四): satisfaction, on-time, repeat and mediation success rates; assistance referrals (casework
    and mediation); key-case evaluation (评查) scores."""
    s, m, r = f.satisfaction, f.mediation, f.routing
    completed = sum(d.completed for d in f.on_time.departments)
    on_time = sum(d.on_time for d in f.on_time.departments)
    median = "无" if m.median_duration_days is None else f"{m.median_duration_days:g} 天"
    rows = [
        ("满意率", zh.percent(s.overall.satisfaction_rate), f"评价 {s.overall.total} 件"),
        ("重办申请率", zh.percent(s.overall.reopen_rate), f"评价 {s.overall.total} 件"),
        ("按期办结率", zh.percent(zh.ratio(on_time, completed)), f"到期环节 {completed} 个，按期 {on_time} 个"),
        ("重复信访率", zh.percent(r.repeats.rate), f"重复信访 {r.repeats.grievances} 件"),
        (
            "调解成功率",
            zh.percent(m.overall.success_rate),
            f"调解 {m.overall.total} 件，达成协议 {m.overall.agreed} 件",
        ),
        ("调解用时中位数", median, ""),
    ]
    blocks: list[Block] = [Heading(SECTION_TITLES[3], 1), Table(("指标", "数值", "依据"), rows)]
    return [*blocks, *assistance_blocks(f), *evaluation_blocks(f)]


def _referrals(a: Assistance) -> str:
    return (
        f"{a.total} 件，其中社会救助 {a.count(kind='social')} 件、司法救助 {a.count(kind='judicial')} 件，"
        f"已获救助 {a.count(outcome='granted')} 件"
    )


def assistance_blocks(f: AnnualFigures) -> list[Block]:
    """帮扶救助 (《信访工作条例》第三十七条): casework's referrals and the mediators', then the sum."""
    blocks: list[Block] = [Heading("帮扶救助转介", 2)]
    a, m = f.assistance, f.mediation.assistance
    if a is None:
        blocks.append(Text("无。说明：案件办理服务尚未提供救助转介统计接口，本项数据暂缺。"))
    else:
        blocks.append(Text(f"转介救助共 {_referrals(a)}。"))
    if m is None:
        blocks.append(Text("调解中的救助转介：无。说明：调解服务尚未提供救助转介统计，本项数据暂缺。"))
        return blocks
    blocks.append(Text(f"调解中转介救助 {_referrals(m)}。"))
    if a is not None:
        both = Assistance(total=a.total + m.total, rows=[*a.rows, *m.rows])
        blocks.append(Text(f"信访办理与调解合计转介救助 {_referrals(both)}。"))
    return blocks


def evaluation_blocks(f: AnnualFigures) -> list[Block]:
    """重点信访事项评查: sheets scored this year, the average, and each department's average."""
    blocks: list[Block] = [Heading("重点信访事项评查", 2)]
    e = f.evaluations
    if e is None:
        return [*blocks, Text("无。说明：案件办理服务尚未提供评查统计接口，本项数据暂缺。")]
    if not e.evaluated:
        return [*blocks, Text("无。本年度未评查重点信访事项。")]
    average = "无" if e.average_total is None else f"{e.average_total:g} 分"
    blocks.append(Text(f"共评查重点信访事项 {e.evaluated} 件，平均得分 {average}（满分 100 分）。"))
    if e.average_by_item:
        blocks.append(
            Table(
                ("评查项目", "平均得分"),
                [(zh.name(zh.CHECKLIST_ITEMS, item), f"{score:g}") for item, score in e.average_by_item.items()],
            )
        )
    if e.departments:
        blocks.append(
            Table(
                ("被评查单位", "评查件数", "平均得分"),
                [(d.department.name, str(d.evaluated), f"{d.average_total:g}") for d in e.departments],
            )
        )
    return blocks


def report_blocks(f: AnnualFigures) -> list[Block]:
    """The whole report: title, the four elements of §41, a closing note on the sources."""
    return [
        Heading(title(f.year), 0),
        Text(f"依据《信访工作条例》第四十一条编制，统计期间为 {f.year} 年 1 月 1 日至 12 月 31 日。"),
        *statistics_section(f),
        *handling_section(f),
        *recommendations_section(f),
        *other_section(f),
        Text(
            "数据来源：各业务服务的统计接口（分流：按登记时间；办理与督办：按立案时间；按期办结：按到期日；"
            "调解：按立案日；满意率：按评价时间）。各项按本服务口径统计，边界处可能略有差异。"
        ),
    ]
