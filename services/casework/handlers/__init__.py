"""Casework use cases: keyword-only functions taking a unit of work and the service context."""
