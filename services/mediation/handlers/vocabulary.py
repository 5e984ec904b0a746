"""The mediation vocabulary as one read (no I/O), in the order the domain declares it."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from services.mediation.domain.vocabulary import (
    DISPUTE_KIND_ZH,
    MEDIATION_TYPE_ZH,
    MEDIATOR_KIND_ZH,
    PARTY_ZH,
    SESSION_STATE_ZH,
    STATE_ZH,
)
from services.mediation.schemas.vocabulary import MediationVocabulary, Term

K = TypeVar("K", bound=StrEnum)


def _terms(names: Mapping[K, str]) -> list[Term]:
    return [Term(value=key.value, name_zh=name) for key, name in names.items()]


def mediation_vocabulary() -> MediationVocabulary:
    return MediationVocabulary(
        states=_terms(STATE_ZH),
        session_states=_terms(SESSION_STATE_ZH),
        mediation_types=_terms(MEDIATION_TYPE_ZH),
        dispute_kinds=_terms(DISPUTE_KIND_ZH),
        parties=_terms(PARTY_ZH),
        mediator_kinds=_terms(MEDIATOR_KIND_ZH),
    )
