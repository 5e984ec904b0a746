"""The registrar's as-you-type checks: GB 11643 numbers (18 digits, and old 15-digit ones upgraded)
and mainland mobile numbers, with the message a registrar reads."""

from __future__ import annotations

import pytest

from services.console.web.pages.registrar_checks import check_id_card, check_mobile, upgrade_id_card_15
from shared.pii import is_valid_id_card

VALID = "11010519491231002X"


def test_a_valid_number_passes_as_typed_with_spaces_and_lower_case() -> None:
    check = check_id_card("110105 19491231 002x")
    assert (check.ok, check.value) == (True, VALID)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("110105194912310021", "校验位"),  # one digit wrong: the check character disagrees
        ("11010519491331002X", "出生日期"),  # month 13
        ("1101051949123100", "现在是 16 位"),
        ("11010519491231X02X", "前 17 位应为数字"),
        ("11010549133100A", "全部为数字"),
        ("110105491331002", "出生日期"),  # old number with month 13
    ],
)
def test_wrong_numbers_say_what_is_wrong(typed: str, says: str) -> None:
    check = check_id_card(typed)
    assert not check.ok and check.value is None
    assert says in check.message


def test_an_old_15_digit_number_is_upgraded_to_the_same_persons_18_digit_number() -> None:
    assert upgrade_id_card_15("110105491231002") == VALID
    check = check_id_card("110105491231002")
    assert (check.ok, check.value) == (True, VALID)
    assert VALID in check.message
    assert is_valid_id_card(upgrade_id_card_15("440301851017123"))


def test_nothing_typed_is_neither_right_nor_wrong() -> None:
    assert check_id_card("  ").message == "" and check_mobile("").message == ""


@pytest.mark.parametrize(
    ("typed", "ok", "value"),
    [
        ("13712345670", True, "13712345670"),
        ("+86 137-1234-5670", True, "13712345670"),
        ("1371234567", False, None),
        ("12712345670", False, None),
        ("1371234567a", False, None),
    ],
)
def test_mobile_numbers(typed: str, ok: bool, value: str | None) -> None:
    check = check_mobile(typed)
    assert (check.ok, check.value) == (ok, value)
