"""Admin requests aiokafka's admin client lacks: SCRAM users and batched ACL changes.

The wire formats are the Kafka protocol's (AlterUserScramCredentials v0, CreateAcls v1,
DescribeAcls v1, DeleteAcls v1); the SCRAM salted password is computed here (RFC 5802, PBKDF2), so
the password itself never travels to the broker.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import (
    CreateAclsRequest_v1,
    DeleteAclsRequest_v1,
    DescribeAclsRequest_v1,
)
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    CompactArray,
    CompactBytes,
    CompactString,
    Int8,
    Int16,
    Int32,
    Schema,
    TaggedFields,
)

from shared.kafka.acls import Acl, Operation, PatternType, ResourceType

SCRAM_ITERATIONS = 8192
MECHANISMS = {"SCRAM-SHA-256": (1, "sha256"), "SCRAM-SHA-512": (2, "sha512")}
ANY = 1  # resource type / pattern / operation / permission filter "any"
ALLOW = 3
ALL_HOSTS = "*"


class AdminRequestFailed(RuntimeError):
    """The broker refused an admin request (e.g. the caller is not a super user)."""


class _AlterScramResponse(Response):  # type: ignore[misc]  # aiokafka ships no type hints
    API_KEY = 51
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(
                ("user", CompactString("utf-8")),
                ("error_code", Int16),
                ("error_message", CompactString("utf-8")),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class _AlterScramRequestV0(RequestStruct):  # type: ignore[misc]  # aiokafka ships no type hints
    FLEXIBLE_VERSION = True
    API_KEY = 51
    API_VERSION = 0
    RESPONSE_TYPE = _AlterScramResponse
    SCHEMA = Schema(
        ("deletions", CompactArray(("name", CompactString("utf-8")), ("mechanism", Int8), ("tags", TaggedFields))),
        (
            "upsertions",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("mechanism", Int8),
                ("iterations", Int32),
                ("salt", CompactBytes),
                ("salted_password", CompactBytes),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class _AlterScram(Request[_AlterScramRequestV0]):  # type: ignore[misc]  # aiokafka ships no type hints
    API_KEY = 51

    def __init__(self, upsertions: list[tuple[Any, ...]]) -> None:
        self._upsertions = upsertions

    def build(self, request_struct_class: type[_AlterScramRequestV0]) -> _AlterScramRequestV0:
        return request_struct_class([], self._upsertions, {})


class _CreateAcls(Request[CreateAclsRequest_v1]):  # type: ignore[misc]  # aiokafka ships no type hints
    API_KEY = 30

    def __init__(self, creations: list[tuple[Any, ...]]) -> None:
        self._creations = creations

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class(self._creations)


class _DeleteAcls(Request[DeleteAclsRequest_v1]):  # type: ignore[misc]  # aiokafka ships no type hints
    API_KEY = 31

    def __init__(self, filters: list[tuple[Any, ...]]) -> None:
        self._filters = filters

    def build(self, request_struct_class: type[DeleteAclsRequest_v1]) -> DeleteAclsRequest_v1:
        return request_struct_class(self._filters)


class _DescribeAcls(Request[DescribeAclsRequest_v1]):  # type: ignore[misc]  # aiokafka ships no type hints
    API_KEY = 29

    def __init__(self, principal: str) -> None:
        self._principal = principal

    def build(self, request_struct_class: type[DescribeAclsRequest_v1]) -> DescribeAclsRequest_v1:
        return request_struct_class(ANY, None, ANY, self._principal, None, ANY, ANY)


def salted_password(password: str, salt: bytes, *, mechanism: str, iterations: int) -> bytes:
    """SaltedPassword of RFC 5802: Hi(password, salt, i), i.e. PBKDF2 with the mechanism's hash."""
    return hashlib.pbkdf2_hmac(MECHANISMS[mechanism][1], password.encode(), salt, iterations)


async def _send(admin: AIOKafkaAdminClient, request: Request[Any]) -> Any:
    # The public admin client has no call for these requests; its connection handling is reused.
    return await admin._send_request(request)


def _raise_for(code: int, message: str | None, what: str) -> None:
    if code:
        raise AdminRequestFailed(f"{what}: {for_code(code).__name__} {message or ''}".strip())


async def upsert_scram_users(admin: AIOKafkaAdminClient, passwords: dict[str, str], *, mechanism: str) -> None:
    """Create the users or set their passwords (idempotent: the same password keeps working)."""
    code = MECHANISMS[mechanism][0]
    upsertions: list[tuple[Any, ...]] = []
    for name, password in sorted(passwords.items()):
        salt = secrets.token_bytes(32)
        salted = salted_password(password, salt, mechanism=mechanism, iterations=SCRAM_ITERATIONS)
        upsertions.append((name, code, SCRAM_ITERATIONS, salt, salted, {}))
    for start in range(0, len(upsertions), 100):
        response = await _send(admin, _AlterScram(upsertions[start : start + 100]))
        for user, error_code, error_message, _tags in response.results:
            _raise_for(error_code, error_message, f"SCRAM credential of {user}")


async def describe_acls(admin: AIOKafkaAdminClient, principal: str) -> set[Acl]:
    """The ALLOW bindings the broker holds for ``principal`` (a user name, without ``User:``)."""
    response = await _send(admin, _DescribeAcls(f"User:{principal}"))
    _raise_for(response.error_code, response.error_message, f"ACLs of {principal}")
    found: set[Acl] = set()
    for resource_type, resource_name, pattern, entries in response.resources:
        for _principal, _host, operation, permission in entries:
            if permission == ALLOW:
                found.add(
                    Acl(
                        principal,
                        ResourceType(resource_type),
                        resource_name,
                        PatternType(pattern),
                        Operation(operation),
                    )
                )
    return found


def _binding(acl: Acl) -> tuple[Any, ...]:
    return (
        int(acl.resource_type),
        acl.resource_name,
        int(acl.pattern),
        acl.kafka_principal,
        ALL_HOSTS,
        int(acl.operation),
        ALLOW,
    )


async def create_acls(admin: AIOKafkaAdminClient, acls: Iterable[Acl]) -> None:
    creations = [_binding(acl) for acl in sorted(acls)]
    if not creations:
        return
    response = await _send(admin, _CreateAcls(creations))
    for error_code, error_message in response.creation_responses:
        _raise_for(error_code, error_message, "create ACL")


async def delete_acls(admin: AIOKafkaAdminClient, acls: Iterable[Acl]) -> None:
    filters = [_binding(acl) for acl in sorted(acls)]
    if not filters:
        return
    response = await _send(admin, _DeleteAcls(filters))
    for error_code, error_message, _matching in response.filter_responses:
        _raise_for(error_code, error_message, "delete ACL")
