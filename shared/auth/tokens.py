"""Issue and verify staff JWTs (HS256 with a shared secret, or RS256 with a key pair)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from shared.events.vocabulary import Role
from shared.settings import ServiceSettings

# Roles that act for one department and therefore must carry a department claim.
DEPARTMENT_ROLES = frozenset({Role.department_officer, Role.mediator})


class TokenError(Exception):
    """The token is missing, malformed, badly signed, expired or lacks a required claim."""


@dataclass(frozen=True, slots=True)
class StaffPrincipal:
    subject: str  # a staff account id, never shown to citizens
    role: Role
    department: str | None
    name: str | None = None

    @property
    def office(self) -> str:
        """How the actor appears in citizen-facing events: an office, not a person."""
        return self.department or self.role.value


def _signing_key(settings: ServiceSettings) -> str:
    if settings.jwt_algorithm == "HS256":
        return settings.jwt_secret.get_secret_value()
    if settings.jwt_private_key is None:
        raise TokenError("RS256 signing needs jwt_private_key")
    return settings.jwt_private_key.get_secret_value()


def _verifying_key(settings: ServiceSettings) -> str:
    if settings.jwt_algorithm == "HS256":
        return settings.jwt_secret.get_secret_value()
    if not settings.jwt_public_key:
        raise TokenError("RS256 verification needs jwt_public_key")
    return settings.jwt_public_key


def issue_token(
    settings: ServiceSettings,
    *,
    subject: str,
    role: Role,
    department: str | None = None,
    name: str | None = None,
    ttl: timedelta = timedelta(hours=8),
    now: datetime | None = None,
) -> str:
    if role in DEPARTMENT_ROLES and not department:
        raise TokenError(f"role {role.value} needs a department")
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "role": role.value,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(issued.timestamp()),
        "nbf": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if department:
        claims["department"] = department
    if name:
        claims["name"] = name
    return jwt.encode(claims, _signing_key(settings), algorithm=settings.jwt_algorithm)


def verify_token(settings: ServiceSettings, token: str) -> StaffPrincipal:
    try:
        claims = jwt.decode(
            token,
            _verifying_key(settings),
            algorithms=[settings.jwt_algorithm],  # never trust the token's own alg header
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "sub", "iss", "aud"]},
            leeway=30,
        )
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    try:
        role = Role(str(claims.get("role")))
    except ValueError as exc:
        raise TokenError(f"unknown role {claims.get('role')!r}") from exc
    department = claims.get("department")
    if role in DEPARTMENT_ROLES and not department:
        raise TokenError(f"role {role.value} token lacks a department claim")
    return StaffPrincipal(subject=str(claims["sub"]), role=role, department=department, name=claims.get("name"))
