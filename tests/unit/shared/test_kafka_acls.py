"""The ACL set is computed from the topic catalogue: each service gets what it consumes and produces,
each department its own topic and group prefix, nobody anything else."""

from __future__ import annotations

import importlib

import pytest

from shared.events import topics
from shared.kafka.acls import (
    SERVICES,
    Operation,
    PatternType,
    ResourceType,
    acl_plan,
    department_acls,
    markdown_table,
    service_acls,
)
from shared.kafka.admin import catalogue
from shared.kafka.principals import credential_vars, resolve_passwords

SPECS = catalogue()


def names(service: str, operation: Operation, prefix: str = "") -> set[str]:
    return {
        a.resource_name
        for a in service_acls(service, SPECS, prefix)
        if a.operation is operation and a.resource_type is ResourceType.TOPIC
    }


def test_feedback_cannot_write_hand_offs_or_department_topics() -> None:
    written = names("feedback", Operation.WRITE)
    assert not {name for name in written if name.startswith(("grievance.track.", "dept."))}
    assert written == {topics.GRIEVANCE_FEEDBACK, topics.GRIEVANCE_STATUS, topics.dead_letter_topic("feedback")}


def test_only_the_router_writes_hand_offs_and_only_intake_writes_received() -> None:
    for service in SERVICES:
        written = names(service, Operation.WRITE)
        assert (topics.track_topic("petition") in written) == (service == "router")
        assert (topics.GRIEVANCE_RECEIVED in written) == (service == "intake")


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_reads_what_it_subscribes_with_its_own_group(service: str) -> None:
    consumers = importlib.import_module(f"services.{service}.consumers")
    assert set(consumers.TOPICS) <= names(service, Operation.READ)
    groups = {a.resource_name for a in service_acls(service, SPECS) if a.resource_type is ResourceType.GROUP}
    assert groups == {consumers.GROUP_ID}
    cluster = {a.operation for a in service_acls(service, SPECS) if a.resource_type is ResourceType.CLUSTER}
    assert cluster == {Operation.IDEMPOTENT_WRITE}


def test_a_department_reads_its_topic_and_group_prefix_only() -> None:
    acls = department_acls("housing", "t1.")
    assert {(a.resource_type, a.resource_name, a.pattern, a.operation) for a in acls} == {
        (ResourceType.TOPIC, "t1.dept.housing.cases.v1", PatternType.LITERAL, Operation.READ),
        (ResourceType.GROUP, "t1.dept.housing.", PatternType.PREFIXED, Operation.READ),
    }
    assert {a.principal for a in acls} == {"t1.dept.housing"}


def test_the_topic_prefix_applies_to_topics_groups_and_principals() -> None:
    plan = acl_plan(SPECS, ["water"], "ns.")
    assert set(plan) == {f"ns.{s}" for s in SERVICES} | {"ns.dept.water"}
    for acls in plan.values():
        assert all(a.resource_name.startswith("ns.") or a.resource_type is ResourceType.CLUSTER for a in acls)
    assert "`ns.dept.water`" in markdown_table(plan)


def test_passwords_come_from_the_environment_then_the_file_then_are_generated() -> None:
    user_var, password_var = credential_vars("router", department=False)
    assert (user_var, password_var) == ("ROUTER_KAFKA_SASL_USERNAME", "ROUTER_KAFKA_SASL_PASSWORD")
    dept_password = credential_vars("public-security", department=True)[1]
    assert dept_password == "DEPT_PUBLIC_SECURITY_KAFKA_SASL_PASSWORD"
    stored = {"INTAKE_KAFKA_SASL_PASSWORD": "from-file", "ROUTER_KAFKA_SASL_PASSWORD": "old"}
    passwords, content = resolve_passwords(
        ["public-security"], "", stored=stored, environ={"ROUTER_KAFKA_SASL_PASSWORD": "from-env"}
    )
    assert passwords["intake"] == "from-file"
    assert passwords["router"] == "from-env"
    assert len(passwords["dept.public-security"]) == 48
    assert content[dept_password] == passwords["dept.public-security"]
    assert content["ROUTER_KAFKA_SASL_USERNAME"] == "router"
