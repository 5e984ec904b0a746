"""The topic catalogue (DESIGN §4): names, partition counts and what flows on each.

Topics are created by ``python -m shared.kafka.topics create`` from this catalogue; the broker's
auto-create is off, so a topic missing here does not exist. Partition counts are sized for one
district; the README's partition plan says how to size them for a city. Every topic states its
retention and cleanup policy; ``topic_configs`` turns them, with the deployment's replication
factor, into the broker's topic configs (docs/operations.md shows them as a table).
"""

from __future__ import annotations

from dataclasses import dataclass

GRIEVANCE_RECEIVED = "grievance.received.v1"
GRIEVANCE_ROUTED = "grievance.routed.v1"
GRIEVANCE_TRACK_LITIGATION = "grievance.track.litigation.v1"
GRIEVANCE_TRACK_MEDIATION = "grievance.track.mediation.v1"
GRIEVANCE_TRACK_PETITION = "grievance.track.petition.v1"
GRIEVANCE_REVIEW = "grievance.review.v1"
GRIEVANCE_REROUTE = "grievance.reroute.v1"
GRIEVANCE_ALERT = "grievance.alert.v1"
GRIEVANCE_STATUS = "grievance.status.v1"
GRIEVANCE_FEEDBACK = "grievance.feedback.v1"
GRIEVANCE_PSEUDONYM = "grievance.pseudonym.v1"

# Consumer groups that own a dead-letter topic.
CONSUMER_GROUPS = ("router", "casework", "mediation", "feedback", "intake")

GRIEVANCE_PARTITIONS = 6
DEPARTMENT_PARTITIONS = 2
DEAD_LETTER_PARTITIONS = 1

DAY_MS = 24 * 3600 * 1000
# Events are facts, not the latest state per key: nothing is compacted, old segments are deleted.
DELETE = "delete"
# Retention (days). Every topic keeps at least a week longer than the nightly database dumps are
# apart, so that after a restore the consumers can re-read what followed the dump
# (docs/operations.md, "Backups"); status and dead letters are kept longer for the timeline
# rebuild and for replays after a fix.
EVENT_RETENTION_DAYS = 30
STATUS_RETENTION_DAYS = 90
DEPARTMENT_RETENTION_DAYS = 30
DEAD_LETTER_RETENTION_DAYS = 90


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    description: str
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    retention_days: int = EVENT_RETENTION_DAYS
    cleanup_policy: str = DELETE

    @property
    def retention_ms(self) -> int:
        return self.retention_days * DAY_MS


def min_insync_replicas(replication_factor: int) -> int:
    """Acknowledged writes survive one broker loss from three replicas on (producers use acks=all)."""
    return max(1, replication_factor - 1)


def topic_configs(spec: TopicSpec, replication_factor: int) -> dict[str, str]:
    """The broker topic configs the catalogue owns for ``spec`` (applied by shared.kafka.admin)."""
    return {
        "retention.ms": str(spec.retention_ms),
        "cleanup.policy": spec.cleanup_policy,
        "min.insync.replicas": str(min_insync_replicas(replication_factor)),
    }


def track_topic(track: str) -> str:
    return f"grievance.track.{track}.v1"


def department_topic(department_code: str) -> str:
    """What one department consumes: every assignment and change relevant to it."""
    return f"dept.{department_code}.cases.v1"


def dead_letter_topic(group_id: str) -> str:
    return f"dlq.{group_id}.v1"


def platform_topics() -> list[TopicSpec]:
    p = GRIEVANCE_PARTITIONS
    return [
        TopicSpec(
            GRIEVANCE_RECEIVED, p, "A grievance was registered (any channel).", ("intake",), ("router", "feedback")
        ),
        TopicSpec(
            GRIEVANCE_PSEUDONYM,
            p,
            "A grievance's complainant pseudonyms under a new pseudonym key (key rotation).",
            ("intake",),
            ("router",),
        ),
        TopicSpec(GRIEVANCE_ROUTED, p, "The router's decision with its reasons.", ("router",), ("feedback",)),
        TopicSpec(GRIEVANCE_TRACK_LITIGATION, p, "Hand-off of 涉法涉诉 grievances.", ("router",), ("casework",)),
        TopicSpec(GRIEVANCE_TRACK_MEDIATION, p, "Hand-off of 矛盾纠纷 grievances.", ("router",), ("mediation",)),
        TopicSpec(GRIEVANCE_TRACK_PETITION, p, "Hand-off of 普通信访 grievances.", ("router",), ("casework",)),
        TopicSpec(GRIEVANCE_REVIEW, p, "A routing decision waits for a human reviewer.", ("router",), ("reviewers",)),
        TopicSpec(
            GRIEVANCE_REROUTE,
            p,
            "A handler gives a grievance back to the router.",
            ("casework", "mediation"),
            ("router",),
        ),
        TopicSpec(GRIEVANCE_ALERT, p, "Imminent risk: alert the duty office at once.", ("router",), ("duty office",)),
        TopicSpec(
            GRIEVANCE_STATUS,
            p,
            "Every citizen-visible status change.",
            ("intake", "router", "casework", "mediation", "feedback"),
            ("feedback", "intake"),
            retention_days=STATUS_RETENTION_DAYS,
        ),
        TopicSpec(
            GRIEVANCE_FEEDBACK,
            p,
            "Citizen ratings, reopen and review requests.",
            ("feedback",),
            ("casework", "mediation"),
        ),
    ]


def department_topics(department_codes: list[str]) -> list[TopicSpec]:
    return [
        TopicSpec(
            department_topic(code),
            DEPARTMENT_PARTITIONS,
            f"Cases of department {code}.",
            ("casework", "mediation"),
            (code,),
            retention_days=DEPARTMENT_RETENTION_DAYS,
        )
        for code in department_codes
    ]


def dead_letter_topics() -> list[TopicSpec]:
    return [
        TopicSpec(
            dead_letter_topic(group),
            DEAD_LETTER_PARTITIONS,
            f"Events consumer group {group} gave up on.",
            (group,),
            ("operators",),
            retention_days=DEAD_LETTER_RETENTION_DAYS,
        )
        for group in CONSUMER_GROUPS
    ]


def all_topics(department_codes: list[str]) -> list[TopicSpec]:
    return platform_topics() + department_topics(department_codes) + dead_letter_topics()
