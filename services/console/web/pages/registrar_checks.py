"""The checks a registrar sees as they type an ID-card or mobile number, and again on submit.

The GB 11643 check character and the mobile pattern are shared.pii's (the rules intake applies);
this adds what a person at a counter needs: which part is wrong, and the 18-digit form of an old
15-digit number, which intake accepts while the old form it does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from shared.clock import CHINA_TZ
from shared.pii import id_card_check_char, is_valid_id_card, is_valid_mobile, normalise_mobile

_SPACES = re.compile(r"[\s-]+")
_DIGITS_17_CHECK = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """``value`` is what to send on (normalised or upgraded); None when the input is wrong or empty."""

    ok: bool
    message: str
    value: str | None = None


EMPTY = FieldCheck(ok=True, message="", value=None)


def _birth_date(year: int, month: int, day: int) -> date | None:
    try:
        born = date(year, month, day)
    except ValueError:
        return None
    return born if date(1900, 1, 1) <= born <= datetime.now(CHINA_TZ).date() else None


def upgrade_id_card_15(number: str) -> str:
    """The 18-digit number of an old 15-digit one: century 19 inserted, GB 11643 check character added."""
    first17 = f"{number[:6]}19{number[6:]}"
    return first17 + id_card_check_char(first17)


def check_id_card(raw: str) -> FieldCheck:
    number = _SPACES.sub("", raw).upper()
    if not number:
        return EMPTY
    if len(number) == 15:
        if not number.isdigit():
            return FieldCheck(False, "15 位旧身份证号码应全部为数字。")
        if _birth_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])) is None:
            return FieldCheck(False, "出生日期（第 7–12 位）不是有效日期，请核对。")
        upgraded = upgrade_id_card_15(number)
        return FieldCheck(True, f"15 位旧号码有效，将按国家标准升位为 18 位：{upgraded}。", upgraded)
    if len(number) != 18:
        return FieldCheck(False, f"身份证号码应为 18 位（旧号码 15 位），现在是 {len(number)} 位。")
    if not _DIGITS_17_CHECK.match(number):
        return FieldCheck(False, "前 17 位应为数字，最后一位为数字或 X。")
    if _birth_date(int(number[6:10]), int(number[10:12]), int(number[12:14])) is None:
        return FieldCheck(False, "出生日期（第 7–14 位）不是有效日期，请核对。")
    if id_card_check_char(number[:17]) != number[17] or not is_valid_id_card(number):
        return FieldCheck(False, "校验位（最后一位）与前 17 位不符，可能有数字录错，请逐位核对。")
    return FieldCheck(True, "身份证号码校验通过。", number)


def check_mobile(raw: str) -> FieldCheck:
    number = normalise_mobile(raw.strip())
    if not number:
        return EMPTY
    if not number.isdigit():
        return FieldCheck(False, "手机号码只能包含数字（可带 +86 前缀）。")
    if len(number) != 11:
        return FieldCheck(False, f"手机号码应为 11 位，现在是 {len(number)} 位。")
    if not is_valid_mobile(number):
        return FieldCheck(False, "不是中国大陆手机号码（应以 13–19 开头）。")
    return FieldCheck(True, "手机号码格式正确。", number)
