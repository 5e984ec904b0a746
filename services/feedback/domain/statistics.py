"""The bureau's satisfaction figures (满意率, 重办率) and the 重复件 rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How the supervisors' figures are broken down: by track, or by lead department.
Grouping = Literal["track", "department"]
GROUPINGS: tuple[Grouping, ...] = ("track", "department")


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` to four places; None when there is nothing to divide (not zero)."""
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True, slots=True)
class SatisfactionFigures:
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    reopen_requested: int

    @property
    def total(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率 as the bureau reports it: 满意 and 基本满意 over all ratings."""
        return ratio(self.satisfied + self.basically_satisfied, self.total)

    @property
    def fully_satisfied_rate(self) -> float | None:
        return ratio(self.satisfied, self.total)

    @property
    def reopen_rate(self) -> float | None:
        return ratio(self.reopen_requested, self.total)


@dataclass(frozen=True, slots=True)
class RepeatCounts:
    routed: int  # grievances routed in the period
    repeats: int  # of those, linked to an earlier case (重复件)

    @property
    def repeat_rate(self) -> float | None:
        return ratio(self.repeats, self.routed)
