"""Common library of the grievance platform: events, Kafka, outbox/inbox, DB, settings, auth, PII."""
