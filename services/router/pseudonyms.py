"""Pseudonym-key rotation on the router's side: the read model follows intake's new pseudonyms.

Intake publishes ``grievance.pseudonym.v1`` for every grievance whose pseudonyms it recomputed
under a new key (docs/operations.md, "Rotating the personal-data keys"). The router replaces the
stored pseudonyms, in the matching columns and in the kept ``grievance.received`` payload, so a
grievance filed after the old key is gone still finds earlier ones of the same complainant.
"""

from __future__ import annotations

from typing import Any

from services.router import repository
from shared.db.uow import UnitOfWork
from shared.events.contracts import ComplainantPseudonymsRotated, ComplainantView, GrievanceReceived


async def apply_rotation(*, uow: UnitOfWork, rotated: ComplainantPseudonymsRotated) -> None:
    """Store the grievance's new pseudonyms, or keep them until the grievance is routed."""
    await repository.lock(uow.session, [grievance_lock(rotated.grievance_id)])
    row = await repository.get_grievance(uow.session, rotated.grievance_id, for_update=True)
    if row is None:
        await repository.keep_pending_rotation(uow.session, rotated)
        return
    received = GrievanceReceived.model_validate(row.received)
    updated = rotated_received(received, rotated.phone_pseudonym, rotated.id_card_pseudonym)
    await repository.update_grievance(
        uow.session,
        rotated.grievance_id,
        phone_pseudonym=rotated.phone_pseudonym,
        id_card_pseudonym=rotated.id_card_pseudonym,
        received=updated.model_dump(mode="json"),
    )


def grievance_lock(grievance_id: str) -> str:
    """The advisory-lock key that orders routing a grievance and rotating its pseudonyms."""
    return f"router:grievance:{grievance_id}"


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


def matching_pseudonyms(received: GrievanceReceived, pending: Any | None) -> tuple[list[str], list[str]]:
    """Every pseudonym the complainant may be stored under: the current ones, those of keys being
    retired, and the new ones of a rotation that arrived before the grievance."""
    view = received.complainant
    phones = [view.phone_pseudonym, *view.previous_phone_pseudonyms]
    id_cards = [view.id_card_pseudonym, *view.previous_id_card_pseudonyms]
    if pending is not None:
        phones.append(pending.phone_pseudonym)
        id_cards.append(pending.id_card_pseudonym)
    return sorted({p for p in phones if p}), sorted({p for p in id_cards if p})
