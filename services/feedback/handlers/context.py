"""What feedback's use cases need besides the unit of work, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.feedback.settings import Settings
from shared.clock import Clock, SystemClock


@dataclass(frozen=True, slots=True)
class FeedbackContext:
    settings: Settings
    clock: Clock

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock | None = None) -> FeedbackContext:
        return cls(settings=settings, clock=clock or SystemClock())

    @property
    def review_window(self) -> timedelta:
        """《信访工作条例》§35: 30 days to ask for 复查 after a reply; the same window for 不满意 → 重办."""
        return timedelta(days=self.settings.review_window_days)

    @property
    def minyi_webhooks(self) -> bool:
        """Queue outbound webhooks for grievances filed through 民意速办 (only when a URL is set)."""
        return self.settings.minyi_webhook_url is not None
