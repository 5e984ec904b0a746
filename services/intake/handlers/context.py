"""The one context of intake's use cases: settings, the personal-data cipher and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from services.intake.settings import Settings
from shared.clock import Clock, SystemClock
from shared.pii import FieldCipher


@dataclass(frozen=True, slots=True)
class IntakeContext:
    settings: Settings
    cipher: FieldCipher
    clock: Clock
    # Decoded once from the settings (which decode their key rings on every read): every filing
    # makes pseudonyms with the active key, and with the retiring ones during a rotation.
    pseudonym_key: bytes
    previous_pseudonym_keys: tuple[bytes, ...]

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None) -> IntakeContext:
        """The context of ``settings``: its cipher (the active key encrypts, every key decrypts)."""
        return cls(
            settings=settings,
            cipher=settings.cipher(),
            clock=clock or SystemClock(),
            pseudonym_key=settings.pseudonym_key,
            previous_pseudonym_keys=tuple(settings.previous_pseudonym_keys),
        )
