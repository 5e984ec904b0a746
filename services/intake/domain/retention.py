"""The personal-data retention rule: when a concluded case's complainant is anonymised.

A case counts as concluded when intake's status read model says so (closed or not accepted; a
reopened case is open again). The period runs from the case's last status, so a rating after the
answer moves the start later, never earlier.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# What a purged complainant's masked name becomes, and the audit log's word for the purge.
PURGED_NAME = "已匿名化"
PURGE_ACTION = "purge_personal_data"


def retention_cutoff(retention_days: int, now: datetime) -> datetime | None:
    """Cases whose last status is older than this are due; None when retention is off (0 days)."""
    if retention_days == 0:
        return None
    return now - timedelta(days=retention_days)
