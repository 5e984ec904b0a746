"""Figures of bench/pipeline.py: latency per stage and end to end, sustained throughput, the table
and the plot of latency against offered load."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.pipeline_load import Journey

HANDLER_STATUSES = ("assigned", "mediation_opened", "transferred_legal", "not_accepted")
ROUTER_STATUSES = ("classified", "under_review")


def _router_decided(j: Journey) -> float | None:
    return next((j.occurred[s] for s in ROUTER_STATUSES if s in j.occurred), None)


def _handler_opened(j: Journey) -> float | None:
    return j.occurred.get(j.settled_status or "") if j.settled_status in HANDLER_STATUSES else None


def _span(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else end - start


def _pushed_live(j: Journey) -> bool:
    """The settling entry reached an open stream (not replayed to a stream opened after it)."""
    return j.projected is not None and j.stream_opened is not None and j.stream_opened <= j.projected


def _accept(j: Journey) -> float | None:
    return _span(j.due, j.accepted)


def _route(j: Journey) -> float | None:
    return _span(j.occurred.get("received"), _router_decided(j))


def _open(j: Journey) -> float | None:
    return _span(_router_decided(j), _handler_opened(j))


def _project(j: Journey) -> float | None:
    return _span(j.occurred.get(j.settled_status or ""), j.projected)


def _push(j: Journey) -> float | None:
    return _span(j.projected, j.settled_delivered) if _pushed_live(j) else None


def _end_to_end(j: Journey) -> float | None:
    return _span(j.due, j.settled_delivered)


# name, what it spans, seconds for one journey (None: not applicable or not seen)
STAGES: tuple[tuple[str, str, Callable[[Journey], float | None]], ...] = (
    ("accept", "due -> 202 from intake", _accept),
    ("route", "intake received -> router decided", _route),
    ("open", "router decided -> casework/mediation opened", _open),
    ("project", "opened -> on feedback's timeline", _project),
    ("push", "on the timeline -> SSE at the citizen", _push),
    ("end to end", "due -> settled on the citizen's SSE", _end_to_end),
)


def steady_throughput(settled_at: list[float]) -> tuple[tuple[float, float], float]:
    """Completions per second between the 10th and the 90th percentile of completion times: the
    pipeline's pace once it is busy, without the ramp-up (first results are still on their way)
    or the tail (the last stragglers). A pipeline that keeps up gives about the offered rate; an
    overloaded one, its capacity while it works through the backlog."""
    if len(settled_at) < 10:
        return (0.0, 0.0), 0.0
    ordered = sorted(settled_at)
    low, high = percentile(ordered, 10), percentile(ordered, 90)
    inside = sum(low <= t <= high for t in ordered)
    return (low, high), inside / max(1e-9, high - low)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class StageFigures:
    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float


@dataclass
class RateFigures:
    label: str
    offered_per_s: float  # the schedule's rate (open loop) or what intake accepted (closed loop)
    offered: int
    accepted: int
    settled: Counter[str]
    unsettled: int
    errors: Counter[str]
    completed_per_s: float  # settled on the SSE per second within the steady window
    steady_window: tuple[float, float]  # seconds after the first offer
    drained_after_s: float | None  # the last settling status arrived, seconds after the first offer
    generator_lag_ms: float
    pushed_by_replay: int
    stream_refusals: int  # stream requests answered 404/429/503 (not known within feedback's hold, or busy)
    stages: dict[str, StageFigures] = field(default_factory=dict)


def rate_figures(label: str, offered_per_s: float, journeys: list[Journey], *, lag_s: float) -> RateFigures:
    start = min((j.due for j in journeys), default=0.0)
    done = [j for j in journeys if j.settled_delivered is not None]
    window, completed_per_s = steady_throughput([(j.settled_delivered or 0.0) - start for j in done])
    stages: dict[str, StageFigures] = {}
    for name, _, measure in STAGES:
        values = [v * 1000 for j in journeys if (v := measure(j)) is not None]
        if values:
            stages[name] = StageFigures(len(values), percentile(values, 50), percentile(values, 99), max(values))
    last = max((j.settled_delivered or 0.0 for j in done), default=None)
    return RateFigures(
        label=label,
        offered_per_s=offered_per_s,
        offered=len(journeys),
        accepted=sum(j.accepted is not None for j in journeys),
        settled=Counter(j.settled_status for j in done if j.settled_status),
        unsettled=sum(j.accepted is not None and j.settled_delivered is None for j in journeys),
        errors=Counter(" ".join(j.error.split()[:2]) for j in journeys if j.error),
        completed_per_s=completed_per_s,
        steady_window=window,
        drained_after_s=None if last is None else last - start,
        generator_lag_ms=lag_s * 1000,
        pushed_by_replay=sum(j.projected is not None and not _pushed_live(j) for j in done),
        stream_refusals=sum(j.stream_refusals for j in journeys),
        stages=stages,
    )


def describe(f: RateFigures) -> list[str]:
    settled = ", ".join(f"{s} {n}" for s, n in f.settled.most_common()) or "none"
    lines = [
        f"offered {f.label}: {f.offered} grievances ({f.offered_per_s:.1f}/s; generator at most"
        f" {f.generator_lag_ms:.0f} ms behind schedule); accepted {f.accepted}; settled {f.settled.total()}"
        f" ({settled}); not settled by the deadline {f.unsettled}",
        f"  sustained {f.completed_per_s:.1f} settled/s in the steady window {f.steady_window[0]:.0f}-"
        f"{f.steady_window[1]:.0f}s; last settled {f.drained_after_s or 0:.1f}s after the first offer",
        f"  settling entries replayed to a stream opened after them (left out of 'push'): {f.pushed_by_replay};"
        f" stream requests refused (404 after feedback's hold, 429, 503): {f.stream_refusals}",
    ]
    if f.errors:
        lines.append("  errors: " + ", ".join(f"{e} x{n}" for e, n in f.errors.most_common(5)))
    lines.append(f"  {'stage':<11} {'spans':<44} {'n':>6} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for name, spans, _ in STAGES:
        s = f.stages.get(name)
        if s is None:
            lines.append(f"  {name:<11} {spans:<44} {0:>6} {'-':>9} {'-':>9} {'-':>9}")
        else:
            lines.append(f"  {name:<11} {spans:<44} {s.count:>6} {s.p50_ms:>9.1f} {s.p99_ms:>9.1f} {s.max_ms:>9.1f}")
    return lines


def summary_table(figures: list[RateFigures]) -> list[str]:
    lines = [
        f"{'offered':<22} {'offered/s':>9} {'settled/s':>9} {'e2e p50 ms':>11} {'e2e p99 ms':>11} {'unsettled':>9}"
    ]
    for f in figures:
        e2e = f.stages.get("end to end")
        p50, p99 = (f"{e2e.p50_ms:.0f}", f"{e2e.p99_ms:.0f}") if e2e else ("-", "-")
        lines.append(
            f"{f.label:<22} {f.offered_per_s:>9.1f} {f.completed_per_s:>9.1f} {p50:>11} {p99:>11} {f.unsettled:>9}"
        )
    return lines


def plot(figures: list[RateFigures], path: Path, title: str) -> None:
    """p50 and p99 end to end (and p99 per stage, thin) against the offered rate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = sorted((f for f in figures if "end to end" in f.stages), key=lambda f: f.offered_per_s)
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    x = [f.offered_per_s for f in shown]
    for name, _, _ in STAGES:
        points = [(f.offered_per_s, f.stages[name]) for f in shown if name in f.stages]
        if not points:
            continue
        xs = [p[0] for p in points]
        if name == "end to end":
            ax.plot(xs, [s.p50_ms for _, s in points], "o-", color="black", linewidth=2, label="end to end p50")
            ax.plot(xs, [s.p99_ms for _, s in points], "s-", color="crimson", linewidth=2, label="end to end p99")
        else:
            ax.plot(xs, [s.p99_ms for _, s in points], ".--", linewidth=1, alpha=0.7, label=f"{name} p99")
    for f in shown:
        ax.annotate(f.label, (f.offered_per_s, f.stages["end to end"].p99_ms), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")  # fmt: skip
    ax.set_xlabel("offered load (grievances/s)")
    ax.set_ylabel("latency (ms, log scale)")
    ax.set_yscale("log")
    if x:
        ax.set_xlim(0, max(x) * 1.1)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
