"""Create the platform's Kafka users (SCRAM) and give each exactly its ACLs; safe to re-run.

    python -m shared.kafka.principals apply --credentials .local/kafka/credentials.env
    python -m shared.kafka.principals plan       # the ACL table of docs/operations.md

Run it as the super user (GRIEVANCE_KAFKA_SASL_USERNAME=admin). A principal's password comes from
its variable in the environment (compose passes secrets that way, e.g. ROUTER_KAFKA_SASL_PASSWORD),
else from the credentials file, else it is generated and added to the file (mode 0600). ACLs a
managed principal holds beyond its plan are removed, so a narrowed catalogue narrows the rights.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.catalog import load_catalog
from shared.kafka.acls import SERVICES, Acl, acl_plan, department_principal, markdown_table, service_principal
from shared.kafka.admin import catalogue, connect_admin
from shared.kafka.scram import create_acls, delete_acls, describe_acls, upsert_scram_users
from shared.settings import ServiceSettings

# What the principals authenticate with on the client listener (whatever the admin itself uses).
USER_MECHANISM = "SCRAM-SHA-512"


@dataclass(frozen=True, slots=True)
class SyncReport:
    users: int
    created: int
    removed: int


def credential_vars(service_or_department: str, *, department: bool) -> tuple[str, str]:
    """The variables holding a principal's user name and password (``ROUTER_KAFKA_SASL_...``)."""
    stem = f"DEPT_{service_or_department}" if department else service_or_department
    stem = stem.upper().replace("-", "_").replace(".", "_")
    return f"{stem}_KAFKA_SASL_USERNAME", f"{stem}_KAFKA_SASL_PASSWORD"


def read_env_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            values[name.strip()] = value.strip().strip("'\"")
    return values


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    """Replace the file atomically, readable by its owner only (it holds passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("# Kafka credentials of the local platform; generated, keep private.\n")
        out.writelines(f"{name}={value}\n" for name, value in values.items())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def resolve_passwords(
    codes: list[str], prefix: str, *, stored: dict[str, str], environ: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Passwords by principal, and the credentials file's new content (generated ones added)."""
    wanted = [(service_principal(s, prefix), credential_vars(s, department=False)) for s in SERVICES]
    wanted += [(department_principal(c, prefix), credential_vars(c, department=True)) for c in codes]
    content = dict(stored)
    passwords: dict[str, str] = {}
    for principal, (user_var, password_var) in wanted:
        password = environ.get(password_var) or stored.get(password_var) or secrets.token_hex(24)
        passwords[principal] = password
        content[user_var] = principal
        content[password_var] = password
    return passwords, content


async def sync_principals(
    settings: ServiceSettings, plan: dict[str, set[Acl]], passwords: Mapping[str, str], *, prune: bool = True
) -> SyncReport:
    """Upsert every planned user's SCRAM credential, then make its ACLs exactly the plan's."""
    admin = await connect_admin(settings)
    try:
        await upsert_scram_users(admin, {p: passwords[p] for p in plan if p in passwords}, mechanism=USER_MECHANISM)
        existing = {principal: await describe_acls(admin, principal) for principal in plan}
        missing = {acl for principal, acls in plan.items() for acl in acls - existing[principal]}
        stale = {acl for principal, acls in plan.items() for acl in existing[principal] - acls} if prune else set()
        await create_acls(admin, missing)
        await delete_acls(admin, stale)
        return SyncReport(users=len(plan), created=len(missing), removed=len(stale))
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.kafka.principals",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["apply", "plan"])
    parser.add_argument("--credentials", type=Path, help="env file of the passwords (created if missing)")
    parser.add_argument("--departments", help="comma-separated codes (default: the whole department catalog)")
    parser.add_argument("--no-prune", action="store_true", help="keep ACLs that are not in the plan")
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    codes = args.departments.split(",") if args.departments else list(load_catalog().codes)
    plan = acl_plan(catalogue(), codes, settings.topic_prefix)
    if args.command == "plan":
        print(markdown_table(plan))
        return 0
    if args.credentials is None:
        parser.error("apply needs --credentials FILE")
    stored = read_env_file(args.credentials)
    passwords, content = resolve_passwords(codes, settings.topic_prefix, stored=stored, environ=os.environ)
    if content != stored:
        write_env_file(args.credentials, content)
    report = asyncio.run(sync_principals(settings, plan, passwords, prune=not args.no_prune))
    print(f"{report.users} principals; {report.created} ACLs added, {report.removed} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
