"""Accounts from the command line, for the first start of a deployment:

    python -m services.console.accounts create-admin [--username admin]

Creates an admin with a one-time password (printed once, to be changed at the first sign-in)
unless an admin account exists already; running it again changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from services.console.accounts.domain import new_account
from services.console.accounts.store import AccountStore
from services.console.passwords import Passwords
from services.console.settings import Settings
from shared.db.base import create_engine
from shared.events.vocabulary import Role


async def create_admin(settings: Settings, username: str) -> str | None:
    """The one-time password of the new admin, or ``None`` when an admin exists already."""
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    try:
        store = AccountStore(engine, Passwords(), settings.lockout)
        if await store.count(Role.admin):
            return None
        admin = new_account(
            username=username,
            display_name="系统管理员",
            role=Role.admin.value,
            department=None,
            departments=frozenset(),
        )
        _, password = await store.create(admin, actor_id=None)
        return password
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.console.accounts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="the first admin account, if there is none")
    create.add_argument("--username", default="admin")
    args = parser.parse_args(argv)
    password = asyncio.run(create_admin(Settings(), args.username))
    if password is None:
        print("console: an admin account exists already; nothing created")
    else:
        print(f"console: admin account '{args.username}' created; one-time password (change it at first sign-in):")
        print(f"  {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
