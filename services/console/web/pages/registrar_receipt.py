"""The receipt (回执) handed or sent to the complainant: what was registered, when the law says
they hear back, and how to follow the grievance on the portal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.console.reports.labels import CHANNELS
from services.console.web.pages.registrar_form import RegistrationDraft
from shared.clock import CHINA_TZ
from shared.pii import mask_name
from shared.statutory import due_at

# 《信访工作条例》第二十二条: the bureau registers a grievance and, within 15 days, forwards or
# assigns it to the body with power to handle it (and tells the complainant where it went).
FORWARD_DAYS = 15
STATUTORY_BASIS = "《信访工作条例》第二十二条"
# §23: the handling body tells the complainant within 15 days whether it accepts the matter.
ACCEPT_NOTICE_DAYS = 15
# intake's tracking numbers: GM-20261126-000123 (prefix, local date, sequence)
_TRACKING_NO = re.compile(r"^[A-Z]{2,4}-\d{8}-\d{6,}$")


@dataclass(frozen=True, slots=True)
class Receipt:
    tracking_no: str
    received_at: datetime
    channel: str
    title: str
    place: str
    complainant: str
    # The citizen's secret for the portal: shown on the first print only (intake keeps a hash).
    tracking_token: str | None
    registered_message: str | None

    @property
    def channel_zh(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    @property
    def received_local(self) -> str:
        return self.received_at.astimezone(CHINA_TZ).strftime("%Y年%m月%d日 %H:%M")

    @property
    def received_date(self) -> str:
        return self.received_at.astimezone(CHINA_TZ).strftime("%Y年%m月%d日")

    @property
    def forward_by(self) -> str:
        """The last day of the §22 period, counted by the platform's one rule (shared.statutory)."""
        return due_at(self.received_at, FORWARD_DAYS).strftime("%Y年%m月%d日")

    @property
    def statutory_answer(self) -> str:
        return (
            f"依照{STATUTORY_BASIS}，本局已登记您的信访事项，将于{FORWARD_DAYS}日内（{self.forward_by}前）"
            "转送、交办有权处理的机关、单位并告知您去向；有权处理的机关、单位自收到之日起"
            f"{ACCEPT_NOTICE_DAYS}日内决定是否受理并书面告知您（第二十三条）。"
        )

    @staticmethod
    def plausible_tracking_no(value: str) -> bool:
        return bool(_TRACKING_NO.fullmatch(value))

    @classmethod
    def of_registration(cls, draft: RegistrationDraft, accepted: dict[str, Any]) -> Receipt:
        return cls(
            tracking_no=accepted["tracking_no"],
            received_at=datetime.fromisoformat(accepted["received_at"]),
            channel=draft.channel,
            title=draft.title,
            place=f"{draft.street}{draft.community}",
            complainant="匿名" if draft.anonymous or not draft.name else mask_name(draft.name),
            tracking_token=accepted.get("tracking_token"),
            registered_message=accepted.get("message_zh"),
        )

    @classmethod
    def of_record(cls, record: dict[str, Any]) -> Receipt:
        """A reprint from intake's masked record (GrievanceRead)."""
        address = record.get("address") or {}
        person = record.get("complainant") or {}
        return cls(
            tracking_no=record["tracking_no"],
            received_at=datetime.fromisoformat(record["received_at"]),
            channel=record["channel"],
            title=record["title"],
            place=f"{address.get('street') or ''}{address.get('community') or ''}",
            complainant="匿名" if person.get("anonymous") else str(person.get("name_masked") or "匿名"),
            tracking_token=None,
            registered_message=None,
        )
