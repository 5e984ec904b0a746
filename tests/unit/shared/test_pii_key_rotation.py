"""Versioned encryption keys: key ids in ciphertexts, legacy blobs, unknown ids; settings rings."""

from __future__ import annotations

import base64
import json
import os

import pytest
from cryptography.exceptions import InvalidTag
from pydantic import ValidationError

from services.intake.settings import DEV_PII_ENCRYPTION_KEY, DEV_PII_PSEUDONYM_KEY, Settings
from shared.pii import FieldCipher, UnknownKeyError, ciphertext_key_id, decode_key

KEY_A, KEY_B = b"\x0a" * 32, b"\x0b" * 32


def _legacy_blob(key: bytes, plaintext: str, field: str) -> bytes:
    """A version-1 ciphertext as written before key ids: 0x01 | nonce | sealed."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return b"\x01" + nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), field.encode())


def test_ciphertext_names_its_key_and_any_ring_key_decrypts_it() -> None:
    old = FieldCipher({"a": KEY_A}, active="a")
    blob = old.encrypt("13812341234", field="mobile")
    assert ciphertext_key_id(blob) == "a" and blob.startswith(b"\x02\x01a")
    both = FieldCipher({"a": KEY_A, "b": KEY_B}, active="b")
    assert not both.is_current(blob)
    again = both.reencrypt(blob, field="mobile")
    assert ciphertext_key_id(again) == "b" and both.is_current(again)
    assert both.decrypt(blob, field="mobile") == both.decrypt(again, field="mobile") == "13812341234"
    assert both.reencrypt(again, field="mobile") is again


def test_legacy_version_1_blobs_decrypt_with_key_id_1() -> None:
    blob = _legacy_blob(KEY_A, "张三", "name")
    assert ciphertext_key_id(blob) == "1"
    cipher = FieldCipher({"1": KEY_A, "2": KEY_B}, active="2")
    assert cipher.decrypt(blob, field="name") == "张三"
    assert ciphertext_key_id(cipher.reencrypt(blob, field="name")) == "2"
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob, field="mobile")


def test_unknown_key_id_is_a_clear_error() -> None:
    blob = FieldCipher({"old": KEY_A}, active="old").encrypt("x", field="email")
    with pytest.raises(UnknownKeyError, match="key id 'old'"):
        FieldCipher({"new": KEY_B}, active="new").decrypt(blob, field="email")
    with pytest.raises(UnknownKeyError, match="'1'"):
        FieldCipher({"new": KEY_B}, active="new").decrypt(_legacy_blob(KEY_A, "x", "email"), field="email")
    with pytest.raises(ValueError, match="version"):
        FieldCipher(KEY_A).decrypt(b"\x07abc", field="email")


def test_the_key_id_is_bound_to_the_ciphertext() -> None:
    ring = FieldCipher({"a": KEY_A, "b": KEY_A}, active="a")
    blob = ring.encrypt("x", field="name")
    relabelled = b"\x02\x01b" + blob[3:]
    with pytest.raises(InvalidTag):
        ring.decrypt(relabelled, field="name")


def test_bad_key_ids_and_missing_active_key_are_refused() -> None:
    with pytest.raises(ValueError, match="key id"):
        FieldCipher({"bad id": KEY_A}, active="bad id")
    with pytest.raises(ValueError, match="active key id"):
        FieldCipher({"a": KEY_A}, active="b")


@pytest.fixture(autouse=True)
def _no_intake_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("GRIEVANCE_", "INTAKE_")):
            monkeypatch.delenv(name)


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_single_key_setting_is_key_id_1() -> None:
    settings = Settings(pii_encryption_key=_b64(KEY_A))
    assert settings.encryption_keys == {"1": KEY_A}
    assert settings.cipher().active_key_id == "1"
    assert Settings().pseudonym_keys == {"1": decode_key(DEV_PII_PSEUDONYM_KEY)}


def test_ring_from_the_environment_with_the_old_single_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_PII_ENCRYPTION_KEY", _b64(KEY_A))
    monkeypatch.setenv("INTAKE_PII_ENCRYPTION_KEYS", json.dumps({"2": _b64(KEY_B)}))
    monkeypatch.setenv("INTAKE_PII_ENCRYPTION_KEY_ID", "2")
    settings = Settings()
    assert settings.encryption_keys == {"1": KEY_A, "2": KEY_B}
    assert settings.encryption_key == KEY_B
    # Without the single key set, the development default does not join the ring.
    monkeypatch.delenv("INTAKE_PII_ENCRYPTION_KEY")
    assert Settings().encryption_keys == {"2": KEY_B}


def test_active_key_id_must_be_in_the_ring() -> None:
    with pytest.raises(ValidationError, match="pii_encryption_key_id"):
        Settings(pii_encryption_keys={"2": _b64(KEY_B)}, pii_encryption_key_id="3")
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(pii_pseudonym_keys={"2": "c2hvcnQ="}, pii_pseudonym_key_id="2")


def test_previous_pseudonym_keys_only_while_rotating() -> None:
    assert Settings().previous_pseudonym_keys == []
    rotating = Settings(pii_pseudonym_key=_b64(KEY_A), pii_pseudonym_keys={"2": _b64(KEY_B)}, pii_pseudonym_key_id="2")
    assert rotating.pseudonym_key == KEY_B and rotating.previous_pseudonym_keys == [KEY_A]


def test_production_refuses_a_development_key_inside_a_ring() -> None:
    with pytest.raises(ValidationError, match="pii_encryption_key"):
        Settings(
            environment="production",
            pii_encryption_keys={"1": DEV_PII_ENCRYPTION_KEY, "2": _b64(KEY_B)},
            pii_encryption_key_id="2",
            pii_pseudonym_keys={"2": _b64(KEY_A)},
            pii_pseudonym_key_id="2",
            jwt_secret="x" * 48,
            database_url="postgresql+asyncpg://app:strong@db:5432/grievance",
        )
