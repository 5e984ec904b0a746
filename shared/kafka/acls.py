"""Least-privilege Kafka ACLs, computed from the topic catalogue so they cannot drift from it.

One SCRAM principal per service: READ on the topics it consumes and on its consumer group, WRITE
on the topics it produces (its dead-letter topic included) and IDEMPOTENT_WRITE on the cluster for
its idempotent producer. One principal per department: READ on ``dept.<code>.cases.v1`` and on
the consumer groups named ``dept.<code>.*``, nothing else. Operators and tests use the super user.
Names carry the deployment's topic prefix (test namespaces), principals included.

``python -m shared.kafka.principals`` creates the users and applies this set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from shared.events.topics import TopicSpec, department_topic

# The services with a principal of their own; each one's consumer group is named like it.
SERVICES = ("intake", "router", "casework", "mediation", "feedback")
SUPER_USER = "admin"


# Wire codes of the Kafka protocol (org.apache.kafka.common.acl / resource).
class ResourceType(IntEnum):
    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5
    DELEGATION_TOKEN = 6
    USER = 7


class PatternType(IntEnum):
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    ALL = 2
    READ = 3
    WRITE = 4
    CREATE = 5
    DELETE = 6
    ALTER = 7
    DESCRIBE = 8
    CLUSTER_ACTION = 9
    DESCRIBE_CONFIGS = 10
    ALTER_CONFIGS = 11
    IDEMPOTENT_WRITE = 12
    CREATE_TOKENS = 13
    DESCRIBE_TOKENS = 14
    TWO_PHASE_COMMIT = 15


CLUSTER_NAME = "kafka-cluster"


@dataclass(frozen=True, slots=True, order=True)
class Acl:
    """One ALLOW binding for a principal, from any host."""

    principal: str
    resource_type: ResourceType
    resource_name: str
    pattern: PatternType
    operation: Operation

    @property
    def kafka_principal(self) -> str:
        return f"User:{self.principal}"

    def describe(self) -> str:
        pattern = "" if self.pattern is PatternType.LITERAL else " (prefix)"
        return f"{self.operation.name} {self.resource_type.name.lower()} {self.resource_name}{pattern}"


def service_principal(service: str, prefix: str = "") -> str:
    return f"{prefix}{service}"


def department_principal(code: str, prefix: str = "") -> str:
    return f"{prefix}dept.{code}"


def department_group_prefix(code: str, prefix: str = "") -> str:
    """Consumer groups a department may use: its systems pick any name under this prefix."""
    return f"{prefix}dept.{code}."


def service_acls(service: str, specs: Iterable[TopicSpec], prefix: str = "") -> set[Acl]:
    """What ``service`` needs, and only that, according to the catalogue."""
    user = service_principal(service, prefix)
    acls: set[Acl] = set()
    for spec in specs:
        topic = f"{prefix}{spec.name}"
        if service in spec.consumers:
            acls.add(Acl(user, ResourceType.TOPIC, topic, PatternType.LITERAL, Operation.READ))
        if service in spec.producers:
            acls.add(Acl(user, ResourceType.TOPIC, topic, PatternType.LITERAL, Operation.WRITE))
    if any(acl.operation is Operation.READ for acl in acls):
        acls.add(Acl(user, ResourceType.GROUP, f"{prefix}{service}", PatternType.LITERAL, Operation.READ))
    if any(acl.operation is Operation.WRITE for acl in acls):
        acls.add(Acl(user, ResourceType.CLUSTER, CLUSTER_NAME, PatternType.LITERAL, Operation.IDEMPOTENT_WRITE))
    return acls


def department_acls(code: str, prefix: str = "") -> set[Acl]:
    user = department_principal(code, prefix)
    return {
        Acl(user, ResourceType.TOPIC, f"{prefix}{department_topic(code)}", PatternType.LITERAL, Operation.READ),
        Acl(user, ResourceType.GROUP, department_group_prefix(code, prefix), PatternType.PREFIXED, Operation.READ),
    }


def acl_plan(specs: list[TopicSpec], department_codes: Iterable[str], prefix: str = "") -> dict[str, set[Acl]]:
    """Every managed principal with its complete ACL set (anything else it holds is removed)."""
    plan = {service_principal(s, prefix): service_acls(s, specs, prefix) for s in SERVICES}
    plan.update({department_principal(c, prefix): department_acls(c, prefix) for c in department_codes})
    return plan


def markdown_table(plan: dict[str, set[Acl]]) -> str:
    """The plan as the table of docs/operations.md."""
    lines = ["| Principal | Allowed |", "|---|---|"]
    for principal, acls in plan.items():
        lines.append(f"| `{principal}` | {'; '.join(a.describe() for a in sorted(acls))} |")
    return "\n".join(lines)
