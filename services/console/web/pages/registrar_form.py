"""The registration form: what the registrar typed, the console's own checks, intake's request body,
and intake's refusals put back next to the fields they concern."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from typing import Any

from starlette.datastructures import FormData

from services.console.web.pages.registrar_checks import FieldCheck, check_id_card, check_mobile
from shared.catalog import load_catalog
from shared.events.vocabulary import Channel

CHANNELS = {Channel.walk_in: "来访", Channel.hotline: "来电", Channel.letter: "来信"}

# intake's field paths (problem ``field``) -> the form's input names
_INTAKE_FIELDS = {
    "channel": "channel",
    "complainant": "name",
    "complainant.anonymous": "anonymous",
    "complainant.name": "name",
    "complainant.mobile": "mobile",
    "complainant.id_card": "id_card",
    "address": "street",
    "address.street": "street",
    "address.community": "community",
    "address.detail": "address_detail",
    "title": "title",
    "content": "content",
    "respondent": "respondent",
    "desired_outcome": "desired_outcome",
}


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@dataclass
class RegistrationDraft:
    """The form as typed: strings throughout, so a refused form comes back exactly as it was."""

    channel: str = Channel.walk_in.value
    anonymous: bool = False
    name: str = ""
    id_card: str = ""
    mobile: str = ""
    street: str = ""
    community: str = ""
    address_detail: str = ""
    title: str = ""
    content: str = ""
    respondent: str = ""
    desired_outcome: str = ""
    # One key per form: submitting the same form twice (a double click, a reload) registers once.
    idempotency_key: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def from_form(cls, form: FormData) -> RegistrationDraft:
        values: dict[str, Any] = {f.name: _text(form, f.name) for f in fields(cls) if f.name != "anonymous"}
        if not values["idempotency_key"]:
            del values["idempotency_key"]
        return cls(**values, anonymous=form.get("anonymous") in ("1", "on", "true"))

    @property
    def id_card_check(self) -> FieldCheck:
        return check_id_card(self.id_card)

    @property
    def mobile_check(self) -> FieldCheck:
        return check_mobile(self.mobile)

    @property
    def has_identifier(self) -> bool:
        return bool(self.id_card_check.value or self.mobile_check.value)

    def errors(self) -> dict[str, str]:
        """The console's own checks, the same as the as-you-type ones; intake checks the rest."""
        errors: dict[str, str] = {}
        if self.channel not in {c.value for c in CHANNELS}:
            errors["channel"] = "请选择登记方式：来访、来电或来信。"
        for name, check in (("id_card", self.id_card_check), ("mobile", self.mobile_check)):
            if not check.ok:
                errors[name] = check.message
        if not self.anonymous:
            if not self.name:
                errors["name"] = "实名登记须填写姓名；信访人不愿留名时请选择匿名。"
            if not self.mobile:
                errors["mobile"] = "实名登记须填写手机号码，用于回访和告知办理结果。"
        streets = load_catalog().streets
        known = {street.value: info.communities for street, info in streets.items()}
        if self.street not in known:
            errors["street"] = "请选择街道。"
        elif self.community not in known[self.street]:
            errors["community"] = f"请选择{self.street}下的社区。"
        return errors

    def intake_body(self) -> dict[str, Any]:
        """intake's StaffRegistration; an old 15-digit ID number goes as its 18-digit form."""
        return {
            "channel": self.channel,
            "complainant": {
                "anonymous": self.anonymous,
                "name": self.name or None,
                "mobile": self.mobile_check.value,
                "id_card": self.id_card_check.value,
            },
            "address": {"street": self.street, "community": self.community, "detail": self.address_detail or None},
            "title": self.title,
            "content": self.content,
            "respondent": self.respondent or None,
            "desired_outcome": self.desired_outcome or None,
        }

    def lookup_body(self) -> dict[str, Any]:
        """Who to look for among earlier grievances (intake's complainant look-up)."""
        return {"id_card": self.id_card_check.value, "mobile": self.mobile_check.value}


def field_errors(problem: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """A 422 problem's errors by form field, and those that belong to no field."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for error in problem.get("errors") or []:
        message = str(error.get("message_zh") or error.get("message") or "输入不正确")
        name = _INTAKE_FIELDS.get(str(error.get("field", "")))
        if name is None:
            general.append(message)
        else:
            by_field.setdefault(name, message)
    if not by_field and not general:
        general.append(str(problem.get("detail") or problem.get("title") or "登记未完成。"))
    return by_field, general
