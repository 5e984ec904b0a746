"""Password rules without I/O: argon2id hashing, the password policy, lock-out arithmetic and
one-time passwords. The account store (accounts/store.py) applies them to rows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 takes any length; a cap keeps a megabyte "password" from costing CPU
# No 0/O, 1/l/I: a one-time password is read off a screen and typed by hand.
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ONE_TIME_LENGTH = 16


class Passwords:
    """argon2id with the library's RFC 9106 defaults; a hash made with older parameters is
    upgraded at the next successful sign-in (``needs_rehash``)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher(type=Type.ID)
        # Unknown user names are checked against this, so they cost what a real account costs.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Constant work whatever the account: ``None`` (no such user, no password) verifies a dummy."""
        try:
            return self._hasher.verify(stored_hash or self._dummy_hash, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


def policy_problems(password: str, *, username: str) -> list[str]:
    """What is wrong with a new password, in the words the form shows; empty when it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少需要 {MIN_LENGTH} 个字符。")
    if len(password) > MAX_LENGTH:
        problems.append(f"密码不能超过 {MAX_LENGTH} 个字符。")
    if password.strip().casefold() == username.strip().casefold():
        problems.append("密码不能与用户名相同。")
    if password != password.strip():
        problems.append("密码首尾不能是空格。")
    return problems


def one_time_password() -> str:
    return "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_LENGTH))


@dataclass(frozen=True, slots=True)
class Lockout:
    """``threshold`` consecutive failures lock the account for ``duration``."""

    threshold: int
    duration: timedelta

    def is_locked(self, locked_until: datetime | None, now: datetime) -> bool:
        return locked_until is not None and locked_until > now

    def after_failure(self, failed_attempts: int, now: datetime) -> tuple[int, datetime | None]:
        """The new (failed_attempts, locked_until): the count restarts once a lock is set, so an
        account is locked again only after another full run of failures."""
        failed = failed_attempts + 1
        if failed >= self.threshold:
            return 0, now + self.duration
        return failed, None
