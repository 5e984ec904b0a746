"""Accounts in the console's schema: sign-in with lock-out, password changes, the admin's actions.

Every outcome of a sign-in attempt (unknown user, wrong password, locked, disabled) looks the same
to the caller, ``None``, and costs one argon2 verification, so nothing tells which user names exist.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.console.accounts.domain import Account, AccountRejected, NewAccount
from services.console.db import account, account_audit, staff_session
from services.console.passwords import Lockout, Passwords, one_time_password, policy_problems
from shared.events.vocabulary import Role


def _account(row: Row[Any]) -> Account:
    return Account(
        account_id=row.account_id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        department=row.department,
        disabled=row.disabled,
        must_change_password=row.must_change_password,
        locked_until=row.locked_until,
        oidc_subject=row.oidc_subject,
        created_at=row.created_at,
    )


async def audit(
    conn: AsyncConnection,
    action: str,
    *,
    account_id: str | None,
    actor_id: str | None = None,
    ip: str | None = None,
    **detail: Any,
) -> None:
    await conn.execute(
        insert(account_audit).values(action=action, account_id=account_id, actor_id=actor_id, ip=ip, detail=detail)
    )


class AccountStore:
    def __init__(self, engine: AsyncEngine, passwords: Passwords, lockout: Lockout) -> None:
        self._engine = engine
        self._passwords = passwords
        self._lockout = lockout

    async def authenticate(self, username: str, password: str, *, ip: str | None = None) -> Account | None:
        """The account when the password is right and the account usable now; otherwise ``None``."""
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            # FOR UPDATE: concurrent guesses against one account are counted one after another.
            row = (
                await conn.execute(
                    select(account).where(account.c.username == username.strip().lower()).with_for_update()
                )
            ).one_or_none()
            stored = row.password_hash if row is not None else None
            ok = await asyncio.to_thread(self._passwords.verify, stored, password)
            if row is None:
                await audit(conn, "sign_in_failed", account_id=None, ip=ip, reason="unknown_user")
                return None
            if row.disabled or self._lockout.is_locked(row.locked_until, now):
                reason = "disabled" if row.disabled else "locked"
                await audit(conn, "sign_in_refused", account_id=row.account_id, ip=ip, reason=reason)
                return None
            if not ok:
                failed, locked_until = self._lockout.after_failure(row.failed_attempts, now)
                await conn.execute(
                    update(account)
                    .where(account.c.account_id == row.account_id)
                    .values(failed_attempts=failed, locked_until=locked_until, updated_at=now)
                )
                await audit(conn, "sign_in_failed", account_id=row.account_id, ip=ip, reason="wrong_password")
                if locked_until is not None:
                    await audit(conn, "locked", account_id=row.account_id, ip=ip, until=locked_until.isoformat())
                return None
            values: dict[str, Any] = {"failed_attempts": 0, "locked_until": None}
            if stored is not None and self._passwords.needs_rehash(stored):
                values["password_hash"] = await asyncio.to_thread(self._passwords.hash, password)
            if row.failed_attempts or row.locked_until or "password_hash" in values:
                await conn.execute(update(account).where(account.c.account_id == row.account_id).values(**values))
            await audit(conn, "sign_in", account_id=row.account_id, ip=ip, method="password")
            return _account(row)

    async def get(self, account_id: str) -> Account | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(account).where(account.c.account_id == account_id))).one_or_none()
        return _account(row) if row is not None else None

    async def for_oidc(self, subject: str, preferred_username: str | None, *, ip: str | None = None) -> Account | None:
        """The account bound to the provider's subject; at its first OIDC sign-in, the account an
        admin created with the provider's user name, which is then bound to the subject for good."""
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(select(account).where(account.c.oidc_subject == subject).with_for_update())
            ).one_or_none()
            if row is None and preferred_username:
                row = (
                    await conn.execute(
                        select(account)
                        .where(account.c.username == preferred_username.strip().lower())
                        .where(account.c.oidc_subject.is_(None))
                        .with_for_update()
                    )
                ).one_or_none()
                if row is not None:
                    values: dict[str, Any] = {"oidc_subject": subject, "updated_at": datetime.now(UTC)}
                    if row.must_change_password:
                        # The one-time password was only a hand-out until the person's own
                        # credential exists; the provider's is that credential now.
                        values.update(password_hash=None, must_change_password=False)
                    await conn.execute(update(account).where(account.c.account_id == row.account_id).values(**values))
                    row = (await conn.execute(select(account).where(account.c.account_id == row.account_id))).one()
                    await audit(conn, "oidc_bound", account_id=row.account_id, ip=ip)
            if row is None or row.disabled:
                await audit(conn, "sign_in_refused", account_id=row.account_id if row else None, ip=ip, method="oidc")
                return None
            await audit(conn, "sign_in", account_id=row.account_id, ip=ip, method="oidc")
            return _account(row)

    async def list_all(self) -> list[Account]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(account).order_by(account.c.role, account.c.username))).all()
        return [_account(row) for row in rows]

    async def count(self, role: Role | None = None) -> int:
        query = select(func.count()).select_from(account)
        if role is not None:
            query = query.where(account.c.role == role.value)
        async with self._engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def create(self, new: NewAccount, *, actor_id: str | None, ip: str | None = None) -> tuple[Account, str]:
        """The account and its one-time password, which must be changed at the first sign-in."""
        password = one_time_password()
        password_hash = await asyncio.to_thread(self._passwords.hash, password)
        async with self._engine.begin() as conn:
            taken = (await conn.execute(select(account.c.account_id).where(account.c.username == new.username))).first()
            if taken is not None:
                raise AccountRejected({"username": "该用户名已被使用。"})
            row = (
                await conn.execute(
                    insert(account)
                    .values(
                        account_id=uuid.uuid4().hex,
                        username=new.username,
                        display_name=new.display_name,
                        role=new.role.value,
                        department=new.department,
                        password_hash=password_hash,
                        must_change_password=True,
                    )
                    .returning(*account.c)
                )
            ).one()
            await audit(
                conn,
                "created",
                account_id=row.account_id,
                actor_id=actor_id,
                ip=ip,
                role=new.role.value,
                department=new.department,
            )
        return _account(row), password

    async def change_password(self, account_id: str, current: str, new: str, *, ip: str | None = None) -> list[str]:
        """Problems to show (wrong current password, policy); empty when the password was changed.
        Changing ends every other session of the account: whoever knew the old one is signed out."""
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(select(account).where(account.c.account_id == account_id).with_for_update())
            ).one()
            if not await asyncio.to_thread(self._passwords.verify, row.password_hash, current):
                await audit(conn, "password_change_failed", account_id=account_id, ip=ip)
                return ["当前密码不正确。"]
            problems = policy_problems(new, username=row.username)
            if new == current:
                problems.append("新密码不能与当前密码相同。")
            if problems:
                return problems
            await conn.execute(
                update(account)
                .where(account.c.account_id == account_id)
                .values(
                    password_hash=await asyncio.to_thread(self._passwords.hash, new),
                    must_change_password=False,
                    updated_at=datetime.now(UTC),
                )
            )
            await audit(conn, "password_changed", account_id=account_id, ip=ip)
        return []

    async def reset_password(self, account_id: str, *, actor_id: str, ip: str | None = None) -> str:
        """A new one-time password; the account's sessions end and any lock is lifted."""
        password = one_time_password()
        password_hash = await asyncio.to_thread(self._passwords.hash, password)
        async with self._engine.begin() as conn:
            await self._require(conn, account_id)
            await conn.execute(
                update(account)
                .where(account.c.account_id == account_id)
                .values(
                    password_hash=password_hash,
                    must_change_password=True,
                    failed_attempts=0,
                    locked_until=None,
                    updated_at=datetime.now(UTC),
                )
            )
            await conn.execute(staff_session.delete().where(staff_session.c.account_id == account_id))
            await audit(conn, "password_reset", account_id=account_id, actor_id=actor_id, ip=ip)
        return password

    async def set_disabled(self, account_id: str, disabled: bool, *, actor_id: str, ip: str | None = None) -> None:
        """Disabling signs the account out everywhere at once; an admin cannot disable themself."""
        if disabled and account_id == actor_id:
            raise AccountRejected({"account": "不能停用自己的账号。"})
        async with self._engine.begin() as conn:
            await self._require(conn, account_id)
            await conn.execute(
                update(account)
                .where(account.c.account_id == account_id)
                .values(disabled=disabled, updated_at=datetime.now(UTC))
            )
            if disabled:
                await conn.execute(staff_session.delete().where(staff_session.c.account_id == account_id))
            await audit(conn, "disabled" if disabled else "enabled", account_id=account_id, actor_id=actor_id, ip=ip)

    async def _require(self, conn: AsyncConnection, account_id: str) -> None:
        found = (await conn.execute(select(account.c.account_id).where(account.c.account_id == account_id))).first()
        if found is None:
            raise AccountRejected({"account": "没有这个账号。"})
