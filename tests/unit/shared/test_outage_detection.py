"""The consumer tells a database outage (wait, never dead-letter) from a bad event (retry, then
dead-letter)."""

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.exc import DBAPIError, IntegrityError

from shared.outages import is_infrastructure_outage


def wrapped(orig: BaseException, *, invalidated: bool = False) -> DBAPIError:
    return DBAPIError("SELECT 1", {}, orig, connection_invalidated=invalidated)


def test_connection_refused_and_admin_shutdown_are_outages() -> None:
    assert is_infrastructure_outage(ConnectionRefusedError(111, "Connection refused"))
    assert is_infrastructure_outage(wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")))
    assert is_infrastructure_outage(wrapped(asyncpg.exceptions.CannotConnectNowError("starting up")))


def test_an_invalidated_connection_is_an_outage() -> None:
    assert is_infrastructure_outage(wrapped(RuntimeError("connection lost"), invalidated=True))


def test_the_cause_chain_is_followed() -> None:
    outer = RuntimeError("handler failed")
    outer.__cause__ = ConnectionResetError("reset by peer")
    assert is_infrastructure_outage(outer)


def test_bad_data_is_not_an_outage() -> None:
    assert not is_infrastructure_outage(ValueError("unknown department"))
    assert not is_infrastructure_outage(
        IntegrityError("INSERT", {}, asyncpg.exceptions.UniqueViolationError("duplicate key"))
    )
    assert not is_infrastructure_outage(KeyError("track"))
