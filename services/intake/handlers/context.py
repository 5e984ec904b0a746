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

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None) -> IntakeContext:
        """The context of ``settings``: its cipher (the active key encrypts, every key decrypts)."""
        return cls(settings=settings, cipher=settings.cipher(), clock=clock or SystemClock())
