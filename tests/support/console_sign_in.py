"""Signing in to the console through its real login form (tests of sign-in, OIDC and admin)."""

from __future__ import annotations

import re

import httpx

from services.console.accounts.domain import new_account
from services.console.accounts.store import AccountStore
from shared.events.vocabulary import Role

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
STRONG_PASSWORD = "光明区信访工作台2027"


def csrf_of(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str, *, next_path: str = "") -> httpx.Response:
    """GET the form (its CSRF token and cookie), then POST it; the answer is not followed."""
    form = await client.get("/login")
    assert form.status_code == 200, form.text
    return await client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text), "next": next_path},
    )


async def make_account(
    accounts: AccountStore,
    username: str,
    role: Role,
    department: str | None = None,
    *,
    password: str | None = STRONG_PASSWORD,
) -> tuple[str, str]:
    """(account id, password): with ``password`` the account has changed its one-time password
    already; with ``None`` the one-time password is returned and must still be changed."""
    checked = new_account(
        username=username,
        display_name=f"测试{username}",
        role=role.value,
        department=department,
        departments=frozenset({department} if department else ()),
    )
    created, one_time = await accounts.create(checked, actor_id=None)
    if password is None:
        return created.account_id, one_time
    assert await accounts.change_password(created.account_id, one_time, password) == []
    return created.account_id, password
