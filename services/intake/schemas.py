"""HTTP request and response models of intake (separate from tables and events)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from services.intake.domain.grievance import has_chinese
from shared.events.vocabulary import Channel, Street
from shared.pii import is_valid_id_card, is_valid_mobile, normalise_id_card, normalise_mobile
from shared.text import RequestModel

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_mobile(value: str) -> str:
    if not is_valid_mobile(value):
        raise ValueError("手机号码格式不正确，应为 11 位中国大陆手机号")
    return normalise_mobile(value)


def _check_id_card(value: str | None) -> str | None:
    if not value:
        return None
    if not is_valid_id_card(value):
        raise ValueError("身份证号码无效（校验位不符或出生日期不正确）")
    return normalise_id_card(value)


Mobile = Annotated[str, Field(min_length=11, max_length=20), AfterValidator(_check_mobile)]
IdCard = Annotated[str | None, Field(max_length=18), AfterValidator(_check_id_card)]


class ComplainantIn(RequestModel):
    model_config = _STRICT

    name: str = Field(min_length=1, max_length=40, description="姓名")
    mobile: Mobile = Field(description="手机号码（仅用于回访，不会对外展示）")
    id_card: IdCard = Field(default=None, description="居民身份证号码（可选）")
    anonymous: bool = Field(default=False, description="匿名：办理单位看不到姓名和联系方式")


class AddressIn(RequestModel):
    model_config = _STRICT

    street: Street = Field(description="街道")
    community: str = Field(min_length=1, max_length=40, description="社区")
    detail: str | None = Field(default=None, max_length=200, description="详细地址")


class GrievanceCreate(RequestModel):
    """What a citizen files on the portal."""

    model_config = _STRICT

    complainant: ComplainantIn
    address: AddressIn
    title: str = Field(min_length=4, max_length=60, description="标题")
    content: str = Field(min_length=10, max_length=5000, description="诉求内容")
    respondent: str | None = Field(default=None, max_length=100, description="被反映人或单位")
    desired_outcome: str | None = Field(default=None, max_length=1000, description="诉求目标")
    attachments: list[AnyHttpUrl] = Field(default_factory=list, max_length=10, description="附件链接")
    channel: Literal[Channel.portal] = Channel.portal

    @field_validator("content")
    @classmethod
    def _chinese(cls, value: str) -> str:
        if not has_chinese(value):
            raise ValueError("请用中文描述您的诉求")
        return value


class StaffComplainantIn(RequestModel):
    """The complainant as staff register them: an anonymous caller or letter may leave no contact."""

    model_config = _STRICT

    # First, so the checks of the fields below know whether the filing is anonymous.
    anonymous: bool = Field(default=False, description="匿名：办理单位看不到姓名和联系方式；可不留姓名和号码")
    name: str | None = Field(default=None, min_length=1, max_length=40, validate_default=True, description="姓名")
    mobile: Mobile | None = Field(default=None, validate_default=True, description="手机号码（回访用）")
    id_card: IdCard = Field(default=None, description="居民身份证号码（可选）")

    @field_validator("name", "mobile")
    @classmethod
    def _given_unless_anonymous(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and not info.data.get("anonymous"):
            what = "姓名" if info.field_name == "name" else "手机号码"
            raise ValueError(f"实名登记须填写{what}；信访人不愿留下时请选择匿名")
        return value


class StaffRegistration(GrievanceCreate):
    """A grievance registered by bureau staff from a visit, a call or a letter."""

    complainant: StaffComplainantIn  # type: ignore[assignment]
    channel: Literal[Channel.walk_in, Channel.hotline, Channel.letter] = Channel.walk_in  # type: ignore[assignment]


class ComplainantLookup(RequestModel):
    """Who to look for: an ID number and/or a mobile number (sent in a body, never in a URL)."""

    model_config = _STRICT

    id_card: IdCard = Field(default=None, description="居民身份证号码")
    mobile: Mobile | None = Field(default=None, description="手机号码")
    limit: int = Field(default=20, ge=1, le=100)

    @model_validator(mode="after")
    def _someone(self) -> ComplainantLookup:
        if not self.id_card and not self.mobile:
            raise ValueError("请至少提供身份证号码或手机号码之一")
        return self


class EarlierGrievance(BaseModel):
    tracking_no: str
    received_at: datetime
    channel: Channel
    title: str
    street: str | None
    community: str | None
    status: str | None = Field(description="where it stands now (grievance.status vocabulary); null: not yet known")
    status_message_zh: str | None
    closed: bool
    matched_on: list[Literal["id_card", "mobile"]]


class ComplainantGrievances(BaseModel):
    """Grievances filed earlier by the same person (same ID number or mobile), newest first."""

    grievances: list[EarlierGrievance]
    total: int = Field(description="all matches; ``grievances`` holds at most ``limit`` of them")


class GrievanceStatusRead(BaseModel):
    """Where a grievance stands now, as the services reported it (staff view, no personal data)."""

    tracking_no: str
    status: str | None = Field(description="latest grievance.status; null until the first one arrives")
    message_zh: str | None
    actor: str | None
    closed: bool
    due_at: datetime | None
    updated_at: datetime | None


class MinyiComplainant(RequestModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=40)
    mobile: Mobile
    id_card: IdCard = None


class MinyiCase(RequestModel):
    """One case pushed by the city's "@深圳-民意速办" platform (fields we use; others ignored)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=2, max_length=100)
    content: str = Field(min_length=5, max_length=5000)
    complainant: MinyiComplainant
    street: Street
    community: str = Field(min_length=1, max_length=40)
    address: str | None = Field(default=None, max_length=200)
    anonymous: bool = False


class MinyiWebhook(RequestModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["case.created"]
    data: MinyiCase


class GrievanceAccepted(BaseModel):
    """202 answer: keep the tracking number and token, the token is shown only this once."""

    grievance_id: str
    tracking_no: str
    tracking_token: str
    status: Literal["received"] = "received"
    received_at: datetime
    message_zh: str


class MinyiCaseAccepted(BaseModel):
    """202 answer to the 民意速办 webhook; a replay of the same delivery carries no tracking token."""

    grievance_id: str
    tracking_no: str
    tracking_token: str | None = Field(
        description="the citizen's secret, in the first answer to a webhook-id only; null when the "
        "same webhook-id and body are delivered again (the platform already has it)"
    )
    status: Literal["received"] = "received"
    received_at: datetime
    message_zh: str


class ComplainantOut(BaseModel):
    name_masked: str
    mobile_masked: str | None
    id_card_masked: str | None
    anonymous: bool
    email_masked: str | None = None


class AddressOut(BaseModel):
    street: str | None
    community: str | None
    detail: str | None


class GrievanceRead(BaseModel):
    """The record as filed, with personal data masked."""

    grievance_id: str
    tracking_no: str
    channel: Channel
    received_at: datetime
    title: str
    content: str
    address: AddressOut
    respondent: str | None
    desired_outcome: str | None
    attachments: list[str]
    complainant: ComplainantOut


class ContactAccess(RequestModel):
    purpose: str = Field(min_length=2, max_length=200, description="why the contact data is needed, e.g. 回访")


class ContactRead(BaseModel):
    """Decrypted contact data for a registrar's call-back; every read is audited."""

    tracking_no: str
    # None when the filer gave no name or number (Open311); e-mail only comes from Open311.
    name: str | None
    mobile: str | None
    id_card: str | None
    email: str | None = None
    free_text_originals: dict[str, str] = Field(
        default_factory=dict,
        description="free-text fields as typed, where personal numbers in them were masked "
        "(title, content, community, address_detail, respondent, desired_outcome)",
    )
