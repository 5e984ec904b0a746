"""Pseudonym-key rotation on the router's side: the read model follows intake's new pseudonyms
(the pure part is domain/pseudonyms.py)."""

from __future__ import annotations

from services.router.domain.pseudonyms import grievance_lock, rotated_received
from services.router.repositories import RouterUnitOfWork
from shared.events.contracts import ComplainantPseudonymsRotated


async def apply_rotation(*, uow: RouterUnitOfWork, rotated: ComplainantPseudonymsRotated) -> None:
    """Store the grievance's new pseudonyms, or keep them until the grievance is routed."""
    await uow.locks.take([grievance_lock(rotated.grievance_id)])
    grievance = await uow.grievances.get(rotated.grievance_id, for_update=True)
    if grievance is None:
        await uow.rotations.keep(rotated)
        return
    await uow.grievances.replace_received(
        rotated_received(grievance.received, rotated.phone_pseudonym, rotated.id_card_pseudonym)
    )
