"""Pseudonym-key rotation, the pure part: which pseudonyms a complainant may be stored under.

Intake publishes ``grievance.pseudonym.v1`` for every grievance whose pseudonyms it recomputed
under a new key (docs/operations.md, "Rotating the personal-data keys"); the router follows so a
grievance filed after the old key is gone still finds earlier ones of the same complainant.
"""

from __future__ import annotations

from services.router.domain.records import PendingRotation
from shared.events.contracts import ComplainantView, GrievanceReceived


def grievance_lock(grievance_id: str) -> str:
    """The advisory-lock key that orders routing a grievance and rotating its pseudonyms."""
    return f"router:grievance:{grievance_id}"


def matching_locks(phones: list[str], id_cards: list[str], street: str | None) -> list[str]:
    """Routing serialises on the complainant (repeats) and the street (group cases)."""
    keys = [f"router:complainant:{p}" for p in phones or id_cards]
    return keys + ([f"router:street:{street}"] if street else [])


def rotated_received(received: GrievanceReceived, phone: str | None, id_card: str | None) -> GrievanceReceived:
    """``received`` with the complainant's pseudonyms replaced and no pseudonyms of retired keys."""
    complainant: ComplainantView = received.complainant.model_copy(
        update={
            "phone_pseudonym": phone,
            "id_card_pseudonym": id_card,
            "previous_phone_pseudonyms": [],
            "previous_id_card_pseudonyms": [],
        }
    )
    return received.model_copy(update={"complainant": complainant})


def matching_pseudonyms(received: GrievanceReceived, pending: PendingRotation | None) -> tuple[list[str], list[str]]:
    """Every pseudonym the complainant may be stored under: the current ones, those of keys being
    retired, and the new ones of a rotation that arrived before the grievance."""
    view = received.complainant
    phones = [view.phone_pseudonym, *view.previous_phone_pseudonyms]
    id_cards = [view.id_card_pseudonym, *view.previous_id_card_pseudonyms]
    if pending is not None:
        phones.append(pending.phone_pseudonym)
        id_cards.append(pending.id_card_pseudonym)
    return sorted({p for p in phones if p}), sorted({p for p in id_cards if p})
