"""Intake metrics (DESIGN §8): grievances registered per channel, complainants anonymised."""

from __future__ import annotations

from prometheus_client import Counter

from shared.events.vocabulary import Channel

SUBMISSIONS = Counter(
    "intake_submissions_total", "Grievances registered (replays not counted), by channel.", ["channel"]
)
# Every channel starts at zero, so rate() and "no submissions for hours" see a series from the start.
for _channel in Channel:
    SUBMISSIONS.labels(_channel.value)

PURGED = Counter("intake_personal_data_purged_total", "Complainants anonymised by the retention job.")


def count_submission(channel: Channel) -> None:
    SUBMISSIONS.labels(channel.value).inc()


def count_purged(complainants: int) -> None:
    PURGED.inc(complainants)
