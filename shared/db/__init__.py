"""Database plumbing: per-service schema metadata, engines, unit of work, outbox and inbox."""
