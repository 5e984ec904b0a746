"""Which ``ce_source`` a consumer believes on which topic: only the topic's producers per the catalogue.

ACLs keep principals without write rights off a topic; this check covers the rest: a service that
may write a shared topic (every service writes ``grievance.status.v1``) must not pass its events
off as another's, and a record copied onto a topic by hand carries its true origin or is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shared.events.envelope import service_source
from shared.events.topics import TopicSpec


class UntrustedSource(Exception):
    """The event's ``ce_source`` is not a producer of the topic it arrived on."""


def trusted_sources(specs: Iterable[TopicSpec], topics: Iterable[str]) -> dict[str, frozenset[str]]:
    """``ce_source`` values allowed per logical topic; a topic outside the catalogue allows none."""
    producers = {spec.name: spec.producers for spec in specs}
    return {topic: frozenset(service_source(p) for p in producers.get(topic, ())) for topic in topics}


def check_source(allowed: Mapping[str, frozenset[str]], topic: str, source: str) -> None:
    """Raise :class:`UntrustedSource` unless ``source`` may publish on the logical ``topic``."""
    if source not in allowed.get(topic, frozenset()):
        expected = ", ".join(sorted(allowed.get(topic, frozenset()))) or "none (not in the catalogue)"
        raise UntrustedSource(f"ce_source {source!r} is not a producer of {topic} (expected: {expected})")
