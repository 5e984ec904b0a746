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
from collections.abc import Mapping

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


def mask_email(value: str) -> str:
    """c***@example.org: the first character and the domain, as free-text masking shows it."""
    local, at, domain = value.strip().rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


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


# Key ids name keys in settings and inside ciphertexts; the single key of before key rotation is "1".
LEGACY_KEY_ID = "1"
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class UnknownKeyError(ValueError):
    """A ciphertext names a key id the settings do not hold (removed too early, or a stranger's)."""


def check_key_id(key_id: str) -> str:
    if not _KEY_ID.match(key_id):
        raise ValueError(f"key id {key_id!r} must be 1-64 characters of A-Z a-z 0-9 . _ -")
    return key_id


def key_header(key_id: str) -> bytes:
    """The first bytes of every version-2 ciphertext under ``key_id``: version, id length, id."""
    raw = check_key_id(key_id).encode()
    return FieldCipher.VERSION + bytes([len(raw)]) + raw


def ciphertext_key_id(blob: bytes) -> str:
    """The key id a ciphertext was made with (version-1 blobs predate ids: the legacy key)."""
    version = blob[:1]
    if version == FieldCipher.LEGACY_VERSION:
        return LEGACY_KEY_ID
    if version != FieldCipher.VERSION or len(blob) < 2:
        raise ValueError("unknown ciphertext version")
    length = blob[1]
    return blob[2 : 2 + length].decode("ascii")


class FieldCipher:
    """AES-256-GCM for one column: random 96-bit nonce per value, the column name as associated
    data so a ciphertext cannot be moved to another column unnoticed.

    Keys are versioned: a version-2 ciphertext is ``0x02 | len(key id) | key id | nonce | sealed``
    with the header bound as associated data, so old rows keep decrypting while new ones use the
    active key, and a re-encryption job can find rows by their header. Version 1 (``0x01 | nonce |
    sealed``) was written before key ids and decrypts with key id "1".
    """

    LEGACY_VERSION = b"\x01"
    VERSION = b"\x02"

    def __init__(self, keys: bytes | Mapping[str, bytes], *, active: str = LEGACY_KEY_ID) -> None:
        ring = {LEGACY_KEY_ID: keys} if isinstance(keys, bytes) else dict(keys)
        if active not in ring:
            raise ValueError(f"active key id {active!r} is not among the keys {sorted(ring)}")
        self._aeads = {check_key_id(key_id): AESGCM(key) for key_id, key in ring.items()}
        self.active_key_id = active
        self.active_header = key_header(active)

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._aeads)

    def encrypt(self, plaintext: str, *, field: str) -> bytes:
        nonce = os.urandom(12)
        header = self.active_header
        sealed = self._aeads[self.active_key_id].encrypt(nonce, plaintext.encode(), header + field.encode())
        return header + nonce + sealed

    def decrypt(self, blob: bytes, *, field: str) -> str:
        key_id = ciphertext_key_id(blob)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise UnknownKeyError(f"ciphertext made with key id {key_id!r}, which the settings do not hold")
        if blob[:1] == self.LEGACY_VERSION:
            nonce, sealed = blob[1:13], blob[13:]
            return aead.decrypt(nonce, sealed, field.encode()).decode()
        header_length = 2 + blob[1]
        header, nonce, sealed = (
            blob[:header_length],
            blob[header_length : header_length + 12],
            blob[header_length + 12 :],
        )
        return aead.decrypt(nonce, sealed, header + field.encode()).decode()

    def is_current(self, blob: bytes) -> bool:
        """Whether ``blob`` is already under the active key (nothing to re-encrypt)."""
        return blob.startswith(self.active_header)

    def reencrypt(self, blob: bytes, *, field: str) -> bytes:
        """The same plaintext under the active key; ``blob`` itself if it already is."""
        return blob if self.is_current(blob) else self.encrypt(self.decrypt(blob, field=field), field=field)
