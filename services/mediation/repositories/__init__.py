"""Queries on the mediation schema, grouped by what they read: cases, the team, the case's records."""
