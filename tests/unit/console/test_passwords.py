"""Password rules of the console: argon2id hashes, rehash on new parameters, the policy,
lock-out arithmetic, one-time passwords, safe redirects after sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, Type

from services.console.accounts.domain import AccountRejected, new_account
from services.console.passwords import ONE_TIME_LENGTH, Lockout, Passwords, one_time_password, policy_problems
from services.console.web.redirects import safe_next
from shared.events.vocabulary import Role

# Cheap parameters keep the unit tests fast; production uses the library's RFC 9106 defaults.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
NOW = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)


def test_hash_is_argon2id_and_verifies_only_the_right_password() -> None:
    passwords = Passwords(FAST)
    stored = passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "correct horse batterY")
    assert not passwords.verify("not-a-hash", "correct horse battery")


def test_unknown_user_verifies_against_a_dummy_and_never_succeeds() -> None:
    passwords = Passwords(FAST)
    assert not passwords.verify(None, "anything at all")
    assert not passwords.verify(None, "")


def test_default_hasher_is_argon2id_with_rfc9106_parameters() -> None:
    stored = Passwords().hash("a long enough password")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_hash_made_with_older_parameters_needs_rehash() -> None:
    old = Passwords(FAST).hash("a long enough password")
    current = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1, type=Type.ID))
    assert current.verify(old, "a long enough password")
    assert current.needs_rehash(old)
    assert not current.needs_rehash(current.hash("a long enough password"))


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("short", "至少需要 10 个字符"),
        ("wang.xiaoming", "不能与用户名相同"),
        ("WANG.XIAOMING", "不能与用户名相同"),
        (" padded password ", "首尾不能是空格"),
        ("x" * 300, "不能超过"),
    ],
)
def test_policy_refuses_weak_passwords(password: str, expected: str) -> None:
    problems = policy_problems(password, username="wang.xiaoming")
    assert any(expected in p for p in problems), problems


def test_policy_accepts_a_reasonable_password() -> None:
    assert policy_problems("光明区信访2027年", username="wang.xiaoming") == []
    assert policy_problems("0123456789", username="wang.xiaoming") == []


def test_lockout_after_threshold_consecutive_failures() -> None:
    lockout = Lockout(threshold=5, duration=timedelta(minutes=15))
    failed, until = 0, None
    for _ in range(4):
        failed, until = lockout.after_failure(failed, NOW)
        assert until is None
    assert failed == 4
    failed, until = lockout.after_failure(failed, NOW)
    assert until == NOW + timedelta(minutes=15)
    assert failed == 0, "the count restarts once the lock is set"
    assert lockout.is_locked(until, NOW + timedelta(minutes=14, seconds=59))
    assert not lockout.is_locked(until, NOW + timedelta(minutes=15))
    assert not lockout.is_locked(None, NOW)


def test_one_time_passwords_are_long_unambiguous_and_different() -> None:
    seen = {one_time_password() for _ in range(50)}
    assert len(seen) == 50
    for password in seen:
        assert len(password) == ONE_TIME_LENGTH
        assert not set(password) & set("0O1lI")
        assert policy_problems(password, username="admin") == []


@pytest.mark.parametrize(
    "candidate",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/ok\\..\\x",
        "javascript:alert(1)",
        "inbox",
        "/login",
        "/logout?x=1",
        "/inbox\r\nSet-Cookie: x=1",
        "",
        None,
    ],
)
def test_next_after_sign_in_refuses_anything_but_a_local_path(candidate: str | None) -> None:
    assert safe_next(candidate) is None


@pytest.mark.parametrize("candidate", ["/inbox", "/reviews?page=2", "/admin/users#create", "/"])
def test_next_after_sign_in_keeps_local_paths(candidate: str) -> None:
    assert safe_next(candidate) == candidate


def test_new_account_needs_a_department_for_officers_and_mediators() -> None:
    departments = frozenset({"housing"})
    with pytest.raises(AccountRejected) as refused:
        new_account(username="li.si", display_name="李四", role="mediator", department="", departments=departments)
    assert set(refused.value.problems) == {"department"}
    with pytest.raises(AccountRejected) as unknown:
        new_account(
            username="li.si",
            display_name="李四",
            role="department_officer",
            department="nowhere",
            departments=departments,
        )
    assert set(unknown.value.problems) == {"department"}
    ok = new_account(
        username=" Li.Si ",
        display_name=" 李  四 ",
        role="department_officer",
        department="housing",
        departments=departments,
    )
    assert (ok.username, ok.display_name, ok.role, ok.department) == (
        "li.si",
        "李 四",
        Role.department_officer,
        "housing",
    )


def test_new_account_reports_every_problem_at_once() -> None:
    with pytest.raises(AccountRejected) as refused:
        new_account(username="X", display_name="", role="emperor", department=None, departments=frozenset())
    assert set(refused.value.problems) == {"username", "display_name", "role"}


def test_department_is_dropped_for_roles_that_act_for_the_whole_bureau() -> None:
    ok = new_account(
        username="zhao.liu",
        display_name="赵六",
        role="supervisor",
        department="housing",
        departments=frozenset({"housing"}),
    )
    assert ok.department is None
