"""Intake masks every free-text field of a submission and keeps only the changed originals."""

from typing import Any

from services.intake.domain.complainant import ComplainantIdentity
from services.intake.domain.free_text import FREE_TEXT_FIELDS, mask_fields
from services.intake.handlers.submission import SubmitGrievance, masked_command
from shared.events.vocabulary import Channel


def test_only_changed_fields_keep_an_original() -> None:
    masked, originals = mask_fields(
        {"content": "手机13812345678，请回电", "title": "路灯不亮", "respondent": None, "community": "将石"}
    )
    assert masked == {
        "content": "手机138****5678，请回电",
        "title": "路灯不亮",
        "respondent": None,
        "community": "将石",
    }
    assert originals == {"content": "手机13812345678，请回电"}


def test_every_free_text_field_of_a_command_is_masked() -> None:
    raw = "身份证11010519491231002X，卡6222021234567890128，邮箱wang@example.com，电话15012345678"
    every_field: dict[str, Any] = {name: raw for name in FREE_TEXT_FIELDS}
    command = SubmitGrievance(
        identity=ComplainantIdentity("王五", "15012345678", None, False),
        channel=Channel.portal,
        street="光明街道",
        **every_field,
    )
    masked, originals = masked_command(command)
    for name in FREE_TEXT_FIELDS:
        value = getattr(masked, name)
        for number in ("11010519491231002X", "6222021234567890128", "wang@example.com", "15012345678"):
            assert number not in value, (name, number)
        assert "110105********002X" in value and "150****5678" in value
    assert originals == {name: raw for name in FREE_TEXT_FIELDS}
    # The identity is encrypted separately and must stay as filed.
    assert masked.identity == command.identity
