"""Personal data tools (PIPL art. 6, minimisation): validation, masking, pseudonyms, encryption.

Raw identifiers stay inside intake, encrypted at rest; everything else sees the masked form for
display and a keyed pseudonym for matching the same person across grievances.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# GB 11643-1999: weights of the first 17 digits, and the check character for each remainder mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


def normalise_id_card(value: str) -> str:
    return value.strip().upper()


def id_card_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_id_card(value: str) -> bool:
    """A citizen ID number (居民身份证号码) with a valid GB 11643 check character and birth date."""
    number = normalise_id_card(value)
    if not _ID_PATTERN.match(number):
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    return id_card_check_char(number[:17]) == number[17]


def normalise_mobile(value: str) -> str:
    """Digits only, without a +86/86 country prefix."""
    digits = re.sub(r"[\s\-()]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def is_valid_mobile(value: str) -> bool:
    return bool(_MOBILE_PATTERN.match(normalise_mobile(value)))


def mask_mobile(value: str) -> str:
    """138****1234: the carrier prefix and the last four digits, as call-backs read them out."""
    number = normalise_mobile(value)
    if len(number) < 7:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def mask_id_card(value: str) -> str:
    """110101********1234: region code and the last four characters."""
    number = normalise_id_card(value)
    if len(number) < 10:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"


def mask_name(value: str) -> str:
    """张*, 欧阳** : the family name (one character) stays, the given name is hidden."""
    name = value.strip()
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def pseudonym(key: bytes, kind: str, value: str) -> str:
    """Keyed HMAC-SHA256 of a normalised identifier: stable per person, not reversible without key."""
    message = f"{kind}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """SHA-256 of a high-entropy secret token (tracking token); a slow KDF is not needed for 192 bits."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(token: str, expected_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), expected_hash)


def decode_key(text: str, *, length: int = 32) -> bytes:
    """A key given in settings as base64 (urlsafe or standard)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("key must be base64") from exc
    if len(raw) != length:
        raise ValueError(f"key must be {length} bytes after base64 decoding, got {len(raw)}")
    return raw


class FieldCipher:
    """AES-256-GCM for one column: random 96-bit nonce per value, the column name as associated
    data so a ciphertext cannot be moved to another column unnoticed."""

    VERSION = b"\x01"

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, *, field: str) -> bytes:
        nonce = os.urandom(12)
        return self.VERSION + nonce + self._aead.encrypt(nonce, plaintext.encode(), field.encode())

    def decrypt(self, blob: bytes, *, field: str) -> str:
        if blob[:1] != self.VERSION:
            raise ValueError("unknown ciphertext version")
        nonce, ciphertext = blob[1:13], blob[13:]
        return self._aead.decrypt(nonce, ciphertext, field.encode()).decode()
