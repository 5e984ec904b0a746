"""Feedback: the citizen's timeline, live status push (SSE), 回访 rating and reopen, 民意速办 webhooks,
and the citizen portal page."""
