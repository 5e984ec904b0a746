"""Personal numbers a citizen types into free text (ID card, mobile, bank card, e-mail), masked.

Citizens write "身份证号是11010519491231002X，手机15012345678" into the content of a grievance; the
form fields are masked and encrypted, so the same numbers in free text must not travel raw either
(PIPL art. 6). Candidates are found by pattern and confirmed by their own checks (GB 11643 check
character, birth date, mobile prefix, Luhn) so dates, amounts and case numbers stay as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from shared.pii import id_card_check_char, mask_email, mask_id_card, mask_mobile

# Full-width forms (U+FF01..U+FF5E) and the ideographic space map one-to-one to ASCII, so the
# detection text has the same length as the original and spans can be cut from the original.
_HALF_WIDTH = str.maketrans({**{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}, "\u3000": " "})

_SEP = r"[ \-]?"
_ID_18 = re.compile(rf"(?<!\d)(\d{{6}}){_SEP}(\d{{8}}){_SEP}(\d{{3}}[\dXx])(?![\dXx])")
_ID_15 = re.compile(r"(?<!\d)\d{15}(?!\d)")
_BANK_CARD = re.compile(r"(?<!\d)(?:\d{13,19}|\d{4,6}(?:[ \-]\d{3,6}){2,4})(?!\d)")
_MOBILE = re.compile(rf"(?<![\d+])(?:(?:\+|00)?86{_SEP})?(1[3-9]\d){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?!\d)")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9][A-Za-z0-9._%+\-]*)@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
)
_NON_DIGIT = re.compile(r"\D")
# Quick exit for most texts: nothing to mask without seven digits (separators allowed) or an @.
_MAYBE_PERSONAL = re.compile(r"\d(?:[ \-]?\d){6}|@")

# Province codes (first two digits) of GB/T 2260, for the old 15-digit numbers which have no check.
_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42"}
    | {"43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"}
)


@dataclass(frozen=True, slots=True)
class MaskedText:
    """Free text with personal numbers masked; ``found`` says whether anything was masked."""

    text: str
    found: bool


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _id_18(match: re.Match[str]) -> str | None:
    number = "".join(match.groups()).upper()
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2100 and _valid_date(year, month, day)):
        return None
    if id_card_check_char(number[:17]) != number[17]:
        return None
    return mask_id_card(number)


def _id_15(match: re.Match[str]) -> str | None:
    number = match.group()
    # Issued 1984-1999 to people born in the 1900s: region, YYMMDD, sequence.
    if number[:2] not in _PROVINCES or not _valid_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])):
        return None
    return mask_id_card(number)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _bank_card(match: re.Match[str]) -> str | None:
    digits = _NON_DIGIT.sub("", match.group())
    # Card schemes issue from these prefixes (UnionPay 62, Visa 4, Mastercard 51-55 and 2221-2720,
    # Amex/JCB 3, domestic 9xxx); other long numbers (order, waybill, account numbers) stay.
    scheme = digits[0] in "34569" or 2221 <= int(digits[:4]) <= 2720
    if not (13 <= len(digits) <= 19 and scheme and _luhn(digits)):
        return None
    return f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"


def _mobile(match: re.Match[str]) -> str | None:
    return mask_mobile("".join(match.groups()))


def _email(match: re.Match[str]) -> str | None:
    return mask_email(f"{match.group(1)}@{match.group(2)}")


# Most specific first: an ID number is never also read as a bank card or a phone number.
_DETECTORS = (
    (_ID_18, _id_18),
    (_ID_15, _id_15),
    (_BANK_CARD, _bank_card),
    (_MOBILE, _mobile),
    (_EMAIL, _email),
)


def mask_free_text(text: str) -> MaskedText:
    """Mask ID-card, mobile, bank-card numbers and e-mail addresses anywhere in ``text``."""
    probe = text.translate(_HALF_WIDTH)
    if not _MAYBE_PERSONAL.search(probe):
        return MaskedText(text, False)
    replacements: list[tuple[int, int, str]] = []
    for pattern, masker in _DETECTORS:
        for match in pattern.finditer(probe):
            start, end = match.span()
            if any(start < taken_end and taken_start < end for taken_start, taken_end, _ in replacements):
                continue
            masked = masker(match)
            if masked is not None:
                replacements.append((start, end, masked))
    if not replacements:
        return MaskedText(text, False)
    pieces: list[str] = []
    position = 0
    for start, end, masked in sorted(replacements):
        pieces.append(text[position:start])
        pieces.append(masked)
        position = end
    pieces.append(text[position:])
    return MaskedText("".join(pieces), True)


def mask_optional(text: str | None) -> MaskedText | None:
    """``mask_free_text`` for optional fields."""
    return None if text is None else mask_free_text(text)
