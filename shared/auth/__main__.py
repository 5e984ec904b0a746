"""Issue a staff token for local use:

python -m shared.auth issue --role department_officer --department housing --subject officer-1
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from shared.auth.tokens import issue_token
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.auth", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    issue = sub.add_parser("issue", help="print a signed JWT")
    issue.add_argument("--role", required=True, choices=[r.value for r in Role])
    issue.add_argument("--department", help="department code (required for department_officer, mediator)")
    issue.add_argument("--subject", default="local-staff", help="staff account id (sub claim)")
    issue.add_argument("--name", help="display name")
    issue.add_argument("--hours", type=float, default=8.0, help="validity in hours")
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    token = issue_token(
        settings,
        subject=args.subject,
        role=Role(args.role),
        department=args.department,
        name=args.name,
        ttl=timedelta(hours=args.hours),
    )
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
