"""Statistics windows: local time by default, and a reversed window is a clear 422."""

from datetime import UTC, date, datetime

import pytest

from shared.problems import Problem
from shared.windows import checked_window, local_moment


def test_naive_moments_are_shanghai_time() -> None:
    moment = local_moment(datetime(2026, 11, 26, 8, 0))
    assert moment is not None
    assert moment.astimezone(UTC) == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    aware = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert local_moment(aware) is aware
    assert local_moment(None) is None


def test_reversed_window_is_refused() -> None:
    with pytest.raises(Problem) as refused:
        checked_window(date(2026, 12, 1), date(2026, 11, 1))
    assert refused.value.status == 422
    assert refused.value.type.endswith("invalid-window")
    assert checked_window(date(2026, 11, 1), date(2026, 11, 1)) == (date(2026, 11, 1), date(2026, 11, 1))
    assert checked_window(None, date(2026, 11, 1)) == (None, date(2026, 11, 1))
