"""Idempotency-Key for POSTs, one rule for every service (draft-ietf-httpapi-idempotency-key-header).

A client may send ``Idempotency-Key`` (1-128 visible ASCII characters) with a POST. The first
request with a key acts and its answer is stored in the same transaction as the action; a retry
with the same key and the same request (method, path and canonical body) gets that answer again,
with ``Idempotent-Replayed: true``, and changes nothing more. Errors, as problem+json:

- 400 ``idempotency-key-missing``: the operation requires a key and none was sent;
- 400 ``idempotency-key-invalid``: the key is empty, too long, or has other characters;
- 422 ``idempotency-key-reused``: the key was used before for a different request;
- 409 ``request-in-progress``: a request with the same key is still being processed.

Keys belong to whoever sent them (a staff member, a channel): services prefix the stored key
with that principal, so two callers never see each other's answers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, Table, Text, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from shared.problems import Problem

HEADER = "Idempotency-Key"
REPLAYED_HEADERS: Mapping[str, str] = MappingProxyType({"Idempotent-Replayed": "true"})
MAX_KEY_LENGTH = 128
_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY_LENGTH}}}")
_HEADER_DOC = "Retry a request safely: the same key returns the first answer and changes nothing more."


class KeyMissing(Problem):
    def __init__(self) -> None:
        super().__init__(400, slug="idempotency-key-missing", detail=f"此操作须带 {HEADER} 请求头，以便安全重试。")


class KeyInvalid(Problem):
    def __init__(self) -> None:
        super().__init__(
            400,
            slug="idempotency-key-invalid",
            detail=f"{HEADER} 须为 1 至 {MAX_KEY_LENGTH} 个可见 ASCII 字符（不含空格）。",
            errors=[
                {
                    "pointer": "#",
                    "field": HEADER,
                    "in": "header",
                    "code": "string_pattern_mismatch",
                    "message": f"1 to {MAX_KEY_LENGTH} visible ASCII characters",
                    "message_zh": "格式不正确",
                }
            ],
        )


class KeyReused(Problem):
    def __init__(self) -> None:
        super().__init__(
            422, slug="idempotency-key-reused", detail=f"同一个 {HEADER} 已用于内容不同的请求，请为新的请求使用新的键。"
        )


class RequestInFlight(Problem):
    def __init__(self) -> None:
        super().__init__(409, slug="request-in-progress", detail="使用同一个键的请求正在处理中，请稍后重试。")


def parse_key(raw: str | None, *, required: bool = False) -> str | None:
    if raw is None:
        if required:
            raise KeyMissing()
        return None
    if not _KEY.fullmatch(raw):
        raise KeyInvalid()
    return raw


def request_fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 of the method, the path and the body as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(
        {"method": method.upper(), "path": path, "body": body},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Attempt:
    """One keyed request as stored: whose key it is, the key, and what was asked (hashed)."""

    principal: str
    key: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class KeyedRequest:
    """A request that came with a valid key; its fingerprint needs the body the route parsed."""

    key: str
    method: str
    path: str

    def fingerprint(self, body: Any) -> str:
        return request_fingerprint(self.method, self.path, body)

    def attempt(self, *, principal: str, body: Any) -> Attempt:
        return Attempt(principal=principal, key=self.key, fingerprint=self.fingerprint(body))


async def _optional_key(
    request: Request, raw: Annotated[str | None, Header(alias=HEADER, description=_HEADER_DOC)] = None
) -> KeyedRequest | None:
    key = parse_key(raw)
    return KeyedRequest(key, request.method, request.url.path) if key is not None else None


async def _required_key(
    request: Request, raw: Annotated[str | None, Header(alias=HEADER, description=_HEADER_DOC)] = None
) -> KeyedRequest:
    key = parse_key(raw, required=True)
    assert key is not None
    return KeyedRequest(key, request.method, request.url.path)


# Route parameters: ``key: IdempotencyKey = None``, or ``key: RequiredIdempotencyKey``.
IdempotencyKey = Annotated[KeyedRequest | None, Depends(_optional_key)]
RequiredIdempotencyKey = Annotated[KeyedRequest, Depends(_required_key)]


async def hold_key(executor: AsyncSession | AsyncConnection, *, namespace: str, key: str) -> None:
    """Take the key for this transaction, or refuse with 409 while another transaction holds it.

    A transaction-scoped advisory lock: released by the commit that stores the answer (a retry
    then replays it) or by a rollback (a retry then acts afresh).
    """
    lock = func.hashtextextended(f"{namespace}\x1f{key}", 0)
    if not await executor.scalar(select(func.pg_try_advisory_xact_lock(lock))):
        raise RequestInFlight()


def check_same_request(stored_fingerprint: str | None, fingerprint: str) -> None:
    """422 when the key's first request differs from this one (no stored fingerprint: legacy row)."""
    if stored_fingerprint is not None and stored_fingerprint != fingerprint:
        raise KeyReused()


def idempotency_table(metadata: MetaData) -> Table:
    """Remembered answers as JSON, per principal and key; ``grievance_id`` is the record acted on."""
    return Table(
        "idempotency_key",
        metadata,
        Column("principal", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("request_hash", Text, nullable=False),
        Column("grievance_id", Text, nullable=False),
        Column("response", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("principal", "key"),
    )


async def recall(session: AsyncSession, table: Table, attempt: Attempt) -> dict[str, Any] | None:
    """The first answer to this key, to replay; None when the caller should act (and remember)."""
    await hold_key(session, namespace=f"{table.fullname}\x1f{attempt.principal}", key=attempt.key)
    row = (
        await session.execute(
            select(table.c.request_hash, table.c.response).where(
                table.c.principal == attempt.principal, table.c.key == attempt.key
            )
        )
    ).first()
    if row is None:
        return None
    check_same_request(row.request_hash, attempt.fingerprint)
    response: dict[str, Any] = row.response
    return response


async def remember(
    session: AsyncSession, table: Table, attempt: Attempt, *, grievance_id: str, response: dict[str, Any]
) -> None:
    """Store the answer in the action's own transaction, so both commit or neither does."""
    await session.execute(
        pg_insert(table).values(
            principal=attempt.principal,
            key=attempt.key,
            request_hash=attempt.fingerprint,
            grievance_id=grievance_id,
            response=response,
        )
    )
