"""Intake metrics (DESIGN §8): grievances registered per channel, complainants anonymised."""

from __future__ import annotations

from prometheus_client import Counter

from shared.events.vocabulary import Channel

SUBMISSIONS = Counter(
    "intake_submissions_total", "Grievances registered (replays not counted), by channel.", ["channel"]
)
# Every channel starts at zero, so rate() and "no submissions for hours" see a series from the start;
# the series are kept, so counting a filing is no label look-up.
_SUBMISSIONS_BY_CHANNEL = {channel: SUBMISSIONS.labels(channel.value) for channel in Channel}

PURGED = Counter("intake_personal_data_purged_total", "Complainants anonymised by the retention job.")


def count_submission(channel: Channel) -> None:
    _SUBMISSIONS_BY_CHANNEL[channel].inc()


def count_purged(complainants: int) -> None:
    PURGED.inc(complainants)
