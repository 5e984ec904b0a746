"""A GeoReport v2 POST Service Request as the platform reads it, and the title it gets.

Every contact field is optional in the specification, so a request may come without a name
(it is then an anonymous filing, 匿名) and without a phone number (then nobody can call back;
the e-mail address, if given, is the only way to reach the filer). A location is required:
lat and long together, an address_string or an address_id.
"""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import AfterValidator, AnyHttpUrl, ConfigDict, Field, field_validator, model_validator

from services.intake.domain.complainant import ComplainantIdentity
from services.intake.domain.grievance import has_chinese
from services.intake.open311.catalog import SERVICE_CODES
from services.intake.schemas import Mobile
from shared.events.vocabulary import Street
from shared.pii_text import mask_free_text
from shared.text import RequestModel

TITLE_MAX = 30
TITLE_MIN = 4
ELLIPSIS = "…"
# Where a sentence ends, and where a clause inside a sentence ends (Chinese and ASCII forms).
_SENTENCE_END = re.compile(r"[。！？!?；;]|\.(?=\s|$)")
_CLAUSE_END = re.compile(r"[，,、：:]")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("电子邮箱格式不正确")
    return value


Email = Annotated[str, Field(max_length=254), AfterValidator(_check_email)]


def masked(text: str) -> str:
    """Free text with personal numbers (ID card, mobile, bank card, e-mail) masked."""
    return mask_free_text(text).text


def derive_title(description: str) -> str:
    """Open311 has no title: the first sentence (at least a few characters) of the description,
    shortened at the last clause boundary that fits, with an ellipsis when shortened."""
    text = " ".join(masked(description).split())
    sentence = text
    for match in _SENTENCE_END.finditer(text):
        if len(text[: match.start()].strip()) >= TITLE_MIN:
            sentence = text[: match.start()].strip()
            break
    if len(sentence) <= TITLE_MAX:
        return sentence
    room = TITLE_MAX - len(ELLIPSIS)
    clauses = [m.start() for m in _CLAUSE_END.finditer(sentence, 0, room + 1) if m.start() >= TITLE_MIN]
    if clauses:
        return sentence[: clauses[-1]].rstrip() + ELLIPSIS
    cut = sentence[:room]
    # Latin words are not cut in half when a space offers a boundary.
    space = cut.rfind(" ")
    if space >= TITLE_MIN:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


class Open311Request(RequestModel):
    """The GeoReport v2 fields, plus the ``attribute[...]`` of the service definition."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    service_code: str
    description: str = Field(min_length=10, max_length=4000)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    long: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    address_string: str | None = Field(default=None, max_length=200)
    address_id: str | None = Field(default=None, max_length=100)
    email: Email | None = None
    # device_id and account_id are read (so clients may send them) but not kept: the platform
    # does not need them (PIPL art. 6).
    device_id: str | None = Field(default=None, max_length=200)
    account_id: str | None = Field(default=None, max_length=200)
    first_name: str | None = Field(default=None, max_length=20)
    last_name: str | None = Field(default=None, max_length=20)
    phone: Mobile | None = None
    media_url: AnyHttpUrl | None = None
    street: Street | None = Field(default=None, alias="attribute[street]")
    community: str | None = Field(default=None, alias="attribute[community]", min_length=1, max_length=40)

    @field_validator("service_code")
    @classmethod
    def _known_service(cls, value: str) -> str:
        if value not in SERVICE_CODES:
            raise ValueError("未知的 service_code，请先查询 services.json 或 services.xml")
        return value

    @field_validator("description")
    @classmethod
    def _chinese(cls, value: str) -> str:
        if not has_chinese(value):
            raise ValueError("请用中文描述您的诉求")
        return value

    @model_validator(mode="after")
    def _located(self) -> Self:
        if (self.lat is None) != (self.long is None):
            raise ValueError("lat 与 long 须同时提供")
        if self.lat is None and not self.address_string and not self.address_id:
            raise ValueError("请提供位置：lat 和 long、address_string 或 address_id 之一")
        return self

    @classmethod
    def from_form(cls, form: dict[str, str]) -> Open311Request:
        """Blank form fields count as absent, as HTML forms send every field."""
        return cls.model_validate({key: value for key, value in form.items() if value.strip()})

    def identity(self) -> ComplainantIdentity:
        name = f"{self.last_name or ''}{self.first_name or ''}".strip() or None
        return ComplainantIdentity(name=name, mobile=self.phone, id_card=None, anonymous=name is None, email=self.email)

    def category_hint(self) -> str:
        return SERVICE_CODES[self.service_code].value
