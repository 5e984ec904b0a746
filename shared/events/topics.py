"""The topic catalogue (DESIGN §4): names, partition counts and what flows on each.

Topics are created by ``python -m shared.kafka.topics create`` from this catalogue; the broker's
auto-create is off, so a topic missing here does not exist. Partition counts are sized for one
district; the README's partition plan says how to size them for a city.
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

# Consumer groups that own a dead-letter topic.
CONSUMER_GROUPS = ("router", "casework", "mediation", "feedback")

GRIEVANCE_PARTITIONS = 6
DEPARTMENT_PARTITIONS = 2
DEAD_LETTER_PARTITIONS = 1


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    description: str
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    retention_days: int = 30


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
            ("feedback",),
            retention_days=90,
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
            retention_days=90,
        )
        for group in CONSUMER_GROUPS
    ]


def all_topics(department_codes: list[str]) -> list[TopicSpec]:
    return platform_topics() + department_topics(department_codes) + dead_letter_topics()
