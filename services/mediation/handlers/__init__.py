"""Mediation use cases: keyword-only functions taking a unit of work (docs/developing.md).

Use cases driven by events (``opening``, ``feedback``) leave the commit to the consumer runner,
which commits the inbox claim with them; use cases driven by staff commit themselves.
"""
