"""Pure intake rules: tracking numbers, what a valid grievance text is, what others may see."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from shared.clock import CHINA_TZ
from shared.events.contracts import ComplainantView
from shared.pii import mask_id_card, mask_mobile, mask_name, normalise_id_card, normalise_mobile, pseudonym
from shared.statutory import due_at

# 《信访工作条例》§22: register, then forward or assign within 15 days.
REGISTER_AND_ASSIGN_DAYS = 15
_CJK = re.compile(r"[\u3400-\u9fff]")
ANONYMOUS_NAME = "匿名"


def tracking_number(prefix: str, received_at: datetime, sequence: int) -> str:
    """GM-20261126-000123: the local filing date and a platform-wide sequence number."""
    day = received_at.astimezone(CHINA_TZ).strftime("%Y%m%d")
    return f"{prefix}-{day}-{sequence:06d}"


def new_tracking_token() -> str:
    """The citizen's secret for status and SSE: 192 random bits, shown once, stored hashed."""
    return secrets.token_urlsafe(24)


def has_chinese(text: str, *, minimum: int = 2) -> bool:
    return len(_CJK.findall(text)) >= minimum


def assign_due(received_at: datetime) -> datetime:
    """End of the 15th local day after receipt: the platform's one period rule (shared.statutory)."""
    return due_at(received_at, REGISTER_AND_ASSIGN_DAYS)


@dataclass(frozen=True, slots=True)
class ComplainantIdentity:
    """Raw identifiers as filed; exists only inside intake.

    ``name`` and ``mobile`` are None when the filer gave none (Open311 makes every contact field
    optional): such a complainant has no call-back number, only the ``email`` if one was given.
    """

    name: str | None
    mobile: str | None
    id_card: str | None
    anonymous: bool
    email: str | None = None

    def normalised(self) -> ComplainantIdentity:
        return ComplainantIdentity(
            name=self.name.strip() if self.name else None,
            mobile=normalise_mobile(self.mobile) if self.mobile else None,
            id_card=normalise_id_card(self.id_card) if self.id_card else None,
            anonymous=self.anonymous,
            email=self.email.strip() if self.email else None,
        )

    def view(self, pseudonym_key: bytes) -> ComplainantView:
        """What leaves intake: masked forms (none at all when anonymous) and keyed pseudonyms.

        Pseudonyms are kept for anonymous complainants too: repeat matching needs them and they
        reveal nothing without intake's key.
        """
        me = self.normalised()
        return ComplainantView(
            name_masked=ANONYMOUS_NAME if (me.anonymous or not me.name) else mask_name(me.name),
            phone_masked=None if (me.anonymous or not me.mobile) else mask_mobile(me.mobile),
            id_card_masked=None if (me.anonymous or not me.id_card) else mask_id_card(me.id_card),
            phone_pseudonym=pseudonym(pseudonym_key, "mobile", me.mobile) if me.mobile else None,
            id_card_pseudonym=pseudonym(pseudonym_key, "id_card", me.id_card) if me.id_card else None,
            anonymous=me.anonymous,
        )


def received_message(tracking_no: str, due: datetime) -> str:
    local_due = due.astimezone(CHINA_TZ).strftime("%Y年%m月%d日")
    return (
        f"您的诉求已登记，编号 {tracking_no}。我们将分析诉求类型并分派至相应单位，"
        f"最迟于{local_due}前告知办理去向。请保存查询码以便查看进度。"
    )
