"""Request and response models of the hearing API (听证, 公示)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, Field

from services.casework.domain.hearing import HearingBody, HearingState, ParticipantRole
from shared.text import RequestModel


class ParticipantIn(RequestModel):
    role: ParticipantRole
    name: str = Field(min_length=1, max_length=100)
    department: str | None = Field(default=None, max_length=64, description="department code, for role department")


class HearingCreate(RequestModel):
    body: HearingBody = Field(description="handler (§31 hearing by the lead department) or re_review (§36, 复核)")
    chair: str = Field(min_length=1, max_length=50)
    members: list[str] = Field(min_length=1, max_length=9)
    lawyer_id: str | None = Field(default=None, max_length=64, description="from GET /v1/lawyers")
    participants: list[ParticipantIn] = Field(min_length=1, max_length=30)
    scheduled_at: AwareDatetime
    place: str = Field(min_length=1, max_length=200)


class HearingRecordCreate(RequestModel):
    held_at: AwareDatetime
    record: str = Field(min_length=1, max_length=20_000, description="听证笔录")
    conclusion: str = Field(min_length=1, max_length=5_000, description="听证结论")


class PanelRead(BaseModel):
    chair: str
    members: list[str]
    lawyer_id: str | None
    lawyer_name: str | None


class ParticipantRead(BaseModel):
    role: ParticipantRole
    name: str
    department: str | None


class HearingRead(BaseModel):
    id: str
    grievance_id: str
    body: HearingBody
    state: HearingState
    step: str
    panel: PanelRead
    participants: list[ParticipantRead]
    scheduled_at: datetime
    place: str
    opened_at: datetime
    opened_by: str
    due_on_at_opening: date | None
    held_at: datetime | None
    record: str | None
    conclusion: str | None
    completed_at: datetime | None
    paused_working_days: int | None
    resumed_due_on: date | None
    published_at: datetime | None
    public_notice: str | None


class HearingList(BaseModel):
    items: list[HearingRead]


class PublicNoticeRead(BaseModel):
    hearing_id: str
    text: str
    published_at: datetime


class PublicNoticeList(BaseModel):
    items: list[PublicNoticeRead]
    total: int
    limit: int
    offset: int


class LawyerRead(BaseModel):
    id: str
    name: str
    firm: str
    roles: list[str]
    specialties: list[str]
