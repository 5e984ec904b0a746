"""Intake metrics (DESIGN §8): grievances registered, per channel."""

from __future__ import annotations

from prometheus_client import Counter

from shared.events.vocabulary import Channel

SUBMISSIONS = Counter(
    "intake_submissions_total", "Grievances registered (replays not counted), by channel.", ["channel"]
)
# Every channel starts at zero, so rate() and "no submissions for hours" see a series from the start.
for _channel in Channel:
    SUBMISSIONS.labels(_channel.value)


def count_submission(channel: Channel) -> None:
    SUBMISSIONS.labels(channel.value).inc()
