"""What a feedback API process holds for its requests, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from services.feedback.follow_up import FollowUpPolicy
from services.feedback.settings import Settings
from services.feedback.stream.hub import TimelineHub
from shared.runtime import Infrastructure


@dataclass(frozen=True, slots=True)
class FeedbackContext:
    settings: Settings
    infra: Infrastructure
    policy: FollowUpPolicy
    hub: TimelineHub
