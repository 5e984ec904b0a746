"""Server-side sessions: the cookie carries a random 256-bit id, the table its SHA-256.

A session ends at sign-out, after ``session_idle_minutes`` without a request, at its absolute
end (``session_absolute_hours``), or when its account is disabled or its password reset. Every
sign-in makes a new id (a cookie set by someone else before sign-in is never adopted).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.console.accounts.domain import Account
from services.console.accounts.store import audit
from services.console.db import account, staff_session
from services.console.settings import Settings
from services.console.web.viewer import Viewer
from shared.auth import issue_token
from shared.client_address import client_address
from shared.events.vocabulary import Role

SESSION_COOKIE = "console_session"
# Re-mint the staff JWT when less than this is left, so no API call carries a nearly dead token.
TOKEN_REFRESH_MARGIN = timedelta(minutes=5)
# last_seen_at is written at most this often: the idle timeout needs no finer clock.
TOUCH_EVERY = timedelta(seconds=30)


class PasswordChangeRequired(Exception):
    """The account has a one-time password: nothing but the password page until it is changed."""


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def request_ip(request: Request, settings: Settings) -> str:
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"), settings.trusted_proxies)


@dataclass(frozen=True, slots=True)
class NoSessions:
    """Nobody is signed in (page tests that override ``current_viewer`` need no database)."""

    async def viewer(self, request: Request, *, allow_password_change: bool = False) -> Viewer | None:
        return None


class SessionStore:
    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings

    def _mint(self, who: Account | Viewer, now: datetime) -> tuple[str, datetime]:
        ttl = timedelta(minutes=self._settings.api_token_minutes)
        # The user name, not the internal account id: it is what the admin chose and what other
        # services name ahead of time — the mediation roster links a mediator to the account whose
        # ``sub`` it lists (services/mediation/data/roster.yaml). User names are never reused:
        # accounts are disabled, never deleted.
        token = issue_token(
            self._settings,
            subject=who.username,
            role=who.role,
            department=who.department,
            name=who.display_name,
            ttl=ttl,
            now=now,
        )
        return token, now + ttl

    async def start(self, request: Request, response: Response, who: Account) -> None:
        """A new session for ``who``; the request's old session, if any, ends (rotation)."""
        now = datetime.now(UTC)
        session_id = secrets.token_urlsafe(32)
        token, token_expires = self._mint(who, now)
        async with self._engine.begin() as conn:
            old = request.cookies.get(SESSION_COOKIE)
            if old:
                await conn.execute(delete(staff_session).where(staff_session.c.session_hash == _hash(old)))
            # Housekeeping at sign-in: sessions past their end are refused anyway, this drops their rows.
            idle_limit = now - timedelta(minutes=self._settings.session_idle_minutes)
            await conn.execute(
                delete(staff_session).where(
                    (staff_session.c.expires_at <= now) | (staff_session.c.last_seen_at <= idle_limit)
                )
            )
            await conn.execute(
                insert(staff_session).values(
                    session_hash=_hash(session_id),
                    account_id=who.account_id,
                    csrf_token=secrets.token_urlsafe(32),
                    api_token=token,
                    api_token_expires_at=token_expires,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + timedelta(hours=self._settings.session_absolute_hours),
                    ip=request_ip(request, self._settings),
                    user_agent=(request.headers.get("user-agent") or "")[:300] or None,
                )
            )
        # SameSite=Lax, not Strict: a link to a case from another system (mail, OA) and the
        # return from the OIDC provider are top-level GETs from another site and should find the
        # session; every state change is a POST, which Lax keeps cross-site requests from carrying,
        # and which needs the CSRF token besides.
        response.set_cookie(
            SESSION_COOKIE,
            session_id,
            httponly=True,
            secure=self._settings.cookie_secure,
            samesite="lax",
            path="/",
        )

    async def end(self, request: Request, response: Response, viewer: Viewer | None) -> None:
        session_id = request.cookies.get(SESSION_COOKIE)
        async with self._engine.begin() as conn:
            if session_id:
                await conn.execute(delete(staff_session).where(staff_session.c.session_hash == _hash(session_id)))
            if viewer is not None:
                ip = request_ip(request, self._settings)
                await audit(conn, "sign_out", account_id=viewer.account_id, ip=ip)
        response.delete_cookie(
            SESSION_COOKIE, path="/", secure=self._settings.cookie_secure, httponly=True, samesite="lax"
        )

    async def viewer(self, request: Request, *, allow_password_change: bool = False) -> Viewer | None:
        """The signed-in viewer, or ``None``; raises PasswordChangeRequired for a one-time password
        unless the caller is the password page (or sign-out)."""
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id or len(session_id) > 100:
            return None
        now = datetime.now(UTC)
        idle_limit = now - timedelta(minutes=self._settings.session_idle_minutes)
        key = _hash(session_id)
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(
                    select(staff_session, account)
                    .join(account, account.c.account_id == staff_session.c.account_id)
                    .where(staff_session.c.session_hash == key)
                )
            ).one_or_none()
            if row is None:
                return None
            if row.expires_at <= now or row.last_seen_at <= idle_limit or row.disabled:
                await conn.execute(delete(staff_session).where(staff_session.c.session_hash == key))
                return None
            viewer = Viewer(
                account_id=row.account_id,
                username=row.username,
                display_name=row.display_name,
                role=Role(row.role),
                department=row.department,
                token=row.api_token,
                csrf_token=row.csrf_token,
            )
            changes: dict[str, object] = {}
            if now - row.last_seen_at >= TOUCH_EVERY:
                changes["last_seen_at"] = now
            if row.api_token_expires_at - now <= TOKEN_REFRESH_MARGIN:
                token, token_expires = self._mint(viewer, now)
                changes.update(api_token=token, api_token_expires_at=token_expires)
                viewer = replace(viewer, token=token)
            if changes:
                await conn.execute(update(staff_session).where(staff_session.c.session_hash == key).values(**changes))
        if row.must_change_password and not allow_password_change:
            raise PasswordChangeRequired()
        return viewer
