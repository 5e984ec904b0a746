"""Feedback's use cases: projecting events into the timeline, the citizen's follow-up actions,
the reads, and the outbound webhooks. They reach the database only through the repositories of
the unit of work they are given."""
