"""Request models of the case commands (*Create, the three ways to close), strict: unknown fields refused."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field

from services.mediation.domain.vocabulary import Party
from shared.text import RequestModel

Text200 = Annotated[str, Field(min_length=2, max_length=200)]
Reason = Annotated[str, Field(min_length=2, max_length=1000)]


class _In(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ConsentCreate(_In):
    party: Party
    consented: bool
    note: str = Field(default="", max_length=1000)


class SessionCreate(_In):
    scheduled_for: AwareDatetime
    location: Text200


class SessionReschedule(_In):
    scheduled_for: AwareDatetime
    location: Text200 | None = None
    reason: Reason


class AttendanceEntry(_In):
    party: Party
    present: bool
    note: str = Field(default="", max_length=200)


class SessionRecord(_In):
    held_at: AwareDatetime | None = None
    attendance: list[AttendanceEntry] = Field(min_length=1, max_length=20)
    minutes: str = Field(min_length=2, max_length=20000, description="调解笔录")


class PartyIn(_In):
    role: Party
    name: Annotated[str, Field(min_length=1, max_length=100)]
    representative: str | None = Field(default=None, max_length=100)


class AgreementClose(_In):
    outcome: Literal["agreement"]
    terms: list[Annotated[str, Field(min_length=2, max_length=2000)]] = Field(min_length=1, max_length=30)
    performance_deadline: date
    facts: str | None = Field(default=None, min_length=2, max_length=5000)
    parties: list[PartyIn] | None = Field(default=None, min_length=2, max_length=10)


class FailureClose(_In):
    outcome: Literal["failure"]
    reason: Reason
    to_track: Literal["litigation", "petition"] | None = None


class WithdrawalClose(_In):
    outcome: Literal["withdrawal"]
    reason: Reason


CloseCase = Annotated[AgreementClose | FailureClose | WithdrawalClose, Field(discriminator="outcome")]


class FollowUpCreate(_In):
    performed: bool
    note: str = Field(default="", max_length=2000)


class RecusalCreate(_In):
    reason: Reason


class ReassignCreate(_In):
    mediator_ids: list[Annotated[str, Field(min_length=2, max_length=64)]] | None = Field(
        default=None, min_length=1, max_length=3, description="first is the lead; omit to let the rules pick"
    )
    panel: bool | None = Field(default=None, description="with automatic picking: a panel (三人小组) or one mediator")
    reason: Reason
