"""Sliding-window arithmetic: window positions, admission with the weighted previous window, and
Retry-After that is neither too early (the retry would fail) nor later than needed."""

from __future__ import annotations

import pytest

from shared.sliding_window import WindowPosition, admits, position, retry_after


def test_windows_align_to_the_epoch() -> None:
    at = position(1_000_075.5, 60)
    assert (at.start, at.elapsed) == (1_000_020.0, 55.5)
    assert at.previous_start == 999_960.0
    assert at.expires == 1_000_140.0


def test_the_previous_window_weighs_what_still_overlaps() -> None:
    assert position(120.0, 60).previous_weight == 1.0
    assert position(135.0, 60).previous_weight == 0.75
    assert position(179.0, 60).previous_weight == pytest.approx(1 / 60)


def test_a_window_has_a_length() -> None:
    with pytest.raises(ValueError, match="positive"):
        position(10.0, 0)


@pytest.mark.parametrize(
    ("previous", "current", "weight", "admitted"),
    [
        (0, 9, 1.0, True),  # the tenth hit of ten
        (0, 10, 1.0, False),
        (10, 0, 1.0, False),  # at the boundary the whole previous window still counts
        (10, 1, 0.75, True),  # 7.5 + 1 + 1
        (10, 2, 0.75, False),  # 7.5 + 2 + 1
        (12, 0, 0.0, True),
    ],
)
def test_admission(previous: int, current: int, weight: float, admitted: bool) -> None:
    assert admits(limit=10, previous=previous, current=current, weight=weight) is admitted


def test_no_wait_when_a_hit_fits() -> None:
    assert retry_after(limit=10, previous=0, current=3, at=position(30.0, 60)) == 0.0


def test_wait_within_the_window_for_the_previous_to_slide_out() -> None:
    # 15 s in: 10 * 0.75 + 2 + 1 = 10.5. At 18 s: 10 * 0.7 + 2 + 1 = 10.
    at = position(75.0, 60)
    wait = retry_after(limit=10, previous=10, current=2, at=at)
    assert wait == pytest.approx(3.0)
    assert admits_after(wait, limit=10, previous=10, current=2, at=at)
    assert not admits_after(wait - 0.5, limit=10, previous=10, current=2, at=at)


def test_wait_into_the_next_window_when_this_one_is_full() -> None:
    # 10 of 10 used 30 s into the window: the next window starts in 30 s with previous = 10 at full
    # weight; 10 * (1 - t/60) + 1 <= 10 from t = 6 s, so 36 s in all.
    at = position(30.0, 60)
    assert retry_after(limit=10, previous=4, current=10, at=at) == pytest.approx(36.0)


def test_wait_for_a_limit_of_one() -> None:
    # 1/hour used: the next window's previous weight must reach 0, a full window after it starts.
    at = position(600.0, 3600)
    assert retry_after(limit=1, previous=0, current=1, at=at) == pytest.approx(3000.0 + 3600.0)


def admits_after(wait: float, *, limit: int, previous: int, current: int, at: WindowPosition) -> bool:
    """Whether a hit ``wait`` seconds later, in the same window, would be admitted."""
    later = position(at.start + at.elapsed + wait, at.length)
    assert later.start == at.start
    return admits(limit=limit, previous=previous, current=current, weight=later.previous_weight)
