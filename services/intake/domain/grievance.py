"""Pure intake rules of a filing: tracking numbers, what a valid grievance text is, the first clock."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from shared.clock import CHINA_TZ
from shared.statutory import due_at

# 《信访工作条例》§22: register, then forward or assign within 15 days.
REGISTER_AND_ASSIGN_DAYS = 15
_CJK = re.compile(r"[\u3400-\u9fff]")


# The sequence number is zero-padded to at least this many digits (longer numbers stay whole).
SEQUENCE_DIGITS = 6


def tracking_number(prefix: str, received_at: datetime, sequence: int) -> str:
    """GM-20261126-000123: the local filing date and a platform-wide sequence number."""
    return f"{tracking_number_stem(prefix, received_at)}{sequence:0{SEQUENCE_DIGITS}d}"


def tracking_number_stem(prefix: str, received_at: datetime) -> str:
    """GM-20261126-: the tracking number before its sequence number (the database appends it as it
    stores the grievance: repositories.filings)."""
    day = received_at.astimezone(CHINA_TZ)
    return f"{prefix}-{day.year:04d}{day.month:02d}{day.day:02d}-"


def new_number_marker() -> str:
    """What stands for a filing's sequence number in the text of its events until the database
    draws the number in the statement that stores them (repositories.filings): random, so no text
    a citizen types can contain it, and without characters JSON would escape."""
    return f"#{secrets.token_hex(12)}#"


def new_tracking_token() -> str:
    """The citizen's secret for status and SSE: 192 random bits, shown once, stored hashed."""
    return secrets.token_urlsafe(24)


def has_chinese(text: str, *, minimum: int = 2) -> bool:
    return len(_CJK.findall(text)) >= minimum


def assign_due(received_at: datetime) -> datetime:
    """End of the 15th local day after receipt: the platform's one period rule (shared.statutory)."""
    return due_at(received_at, REGISTER_AND_ASSIGN_DAYS)


def received_message(tracking_no: str, due: datetime) -> str:
    local_due = due.astimezone(CHINA_TZ).strftime("%Y年%m月%d日")
    return (
        f"您的诉求已登记，编号 {tracking_no}。我们将分析诉求类型并分派至相应单位，"
        f"最迟于{local_due}前告知办理去向。请保存查询码以便查看进度。"
    )
