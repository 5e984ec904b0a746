"""Timeline entries for unit tests."""

from __future__ import annotations

from datetime import UTC, datetime

from services.feedback.schemas import TimelineEntryRead


def entry(seq: int) -> TimelineEntryRead:
    return TimelineEntryRead(
        sequence=seq,
        status="in_progress",
        status_label="办理中",
        stage="casework",
        message_zh=f"第 {seq} 条",
        actor="光明区住房和建设局",
        due_at=None,
        documents=[],
        detail={},
        occurred_at=datetime(2026, 11, 26, tzinfo=UTC),
    )
