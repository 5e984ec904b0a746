"""Packaged data files: triage rules and the mediator roster."""
