"""What an account is and what a new one must satisfy; no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from shared.auth.tokens import DEPARTMENT_ROLES
from shared.events.vocabulary import Role

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MAX_DISPLAY_NAME = 64
# Where each role starts after signing in (GET /).
HOME_PAGES: dict[Role, str] = {
    Role.registrar: "/registrar",
    Role.reviewer: "/reviews",
    Role.department_officer: "/inbox",
    Role.mediator: "/mediation",
    Role.supervisor: "/dashboard",
    Role.admin: "/admin/users",
}


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    username: str
    display_name: str
    role: Role
    department: str | None
    disabled: bool
    must_change_password: bool
    locked_until: datetime | None
    oidc_subject: str | None
    created_at: datetime

    @property
    def home(self) -> str:
        return HOME_PAGES[self.role]


@dataclass(frozen=True, slots=True)
class NewAccount:
    username: str
    display_name: str
    role: Role
    department: str | None


class AccountRejected(Exception):
    """A request about accounts that cannot be carried out: ``problems`` says why, per field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def new_account(
    *, username: str, display_name: str, role: str, department: str | None, departments: frozenset[str]
) -> NewAccount:
    """Check an admin's form: every problem at once, so the form can show them all."""
    username = username.strip().lower()
    display_name = " ".join(display_name.split())
    department = (department or "").strip() or None
    problems: dict[str, str] = {}
    if not USERNAME.match(username):
        problems["username"] = "用户名为 3–64 位小写字母、数字或 . _ -，以字母或数字开头。"
    if not display_name or len(display_name) > MAX_DISPLAY_NAME:
        problems["display_name"] = f"请填写姓名（不超过 {MAX_DISPLAY_NAME} 个字）。"
    try:
        chosen = Role(role)
    except ValueError:
        problems["role"] = "请选择角色。"
        chosen = Role.registrar
    if chosen in DEPARTMENT_ROLES and not department:
        problems["department"] = "承办部门和调解员必须选择所属部门。"
    elif department and department not in departments:
        problems["department"] = "没有这个部门。"
    if problems:
        raise AccountRejected(problems)
    # Only officers and mediators act for one department; a department on other roles would
    # narrow nothing and mislead whoever reads the account list.
    return NewAccount(username, display_name, chosen, department if chosen in DEPARTMENT_ROLES else None)
