"""Staff look-ups that help a registration: a complainant's earlier grievances, where one stands.

Earlier grievances are found by keyed pseudonym (HMAC of the normalised number), the same match
the router makes for repeats (重复件): nothing is decrypted. Every key in the pseudonym ring is
tried, so rows not yet rotated to the active key are found too.
"""

from __future__ import annotations

from typing import Literal

from services.intake.handlers.context import IntakeContext
from services.intake.repositories import IntakeUnitOfWork
from services.intake.schemas import ComplainantGrievances, ComplainantLookup, EarlierGrievance, GrievanceStatusRead
from shared.auth import StaffPrincipal
from shared.events.vocabulary import Channel
from shared.pii import mask_id_card, mask_mobile, normalise_id_card, normalise_mobile, pseudonym
from shared.problems import Problem


def _pseudonyms(ctx: IntakeContext, kind: str, value: str | None) -> list[str]:
    if not value:
        return []
    return [pseudonym(key, kind, value) for key in ctx.settings.pseudonym_keys.values()]


async def complainant_grievances(
    *, uow: IntakeUnitOfWork, ctx: IntakeContext, staff: StaffPrincipal, lookup: ComplainantLookup
) -> ComplainantGrievances:
    """The grievances of whoever has this ID number or mobile, newest first; audited with masks."""
    id_card = normalise_id_card(lookup.id_card) if lookup.id_card else None
    mobile = normalise_mobile(lookup.mobile) if lookup.mobile else None
    by_id_card = _pseudonyms(ctx, "id_card", id_card)
    by_mobile = _pseudonyms(ctx, "mobile", mobile)
    total = await uow.grievances.count_by_pseudonyms(id_card=by_id_card, mobile=by_mobile)
    filings = await uow.grievances.by_pseudonyms(id_card=by_id_card, mobile=by_mobile, limit=lookup.limit)
    found = []
    for filing in filings:
        matched_on: list[Literal["id_card", "mobile"]] = []
        if filing.id_card_pseudonym in by_id_card:
            matched_on.append("id_card")
        if filing.mobile_pseudonym in by_mobile:
            matched_on.append("mobile")
        found.append(
            EarlierGrievance(
                tracking_no=filing.tracking_no,
                received_at=filing.received_at,
                channel=Channel(filing.channel),
                title=filing.title,
                street=filing.street,
                community=filing.community,
                status=filing.status,
                status_message_zh=filing.message_zh,
                closed=filing.closed,
                matched_on=matched_on,
            )
        )
    # Masked forms only: the audit log says whom staff looked for without holding the numbers.
    detail = {
        "id_card": mask_id_card(id_card) if id_card else None,
        "mobile": mask_mobile(mobile) if mobile else None,
        "found": total,
    }
    await uow.audit.record(staff, "lookup_complainant_grievances", None, detail)
    await uow.commit()
    return ComplainantGrievances(grievances=found, total=total)


async def grievance_status(*, uow: IntakeUnitOfWork, tracking_no: str) -> GrievanceStatusRead:
    """The status read model's row; not audited, as it holds no personal data (pages poll it)."""
    standing = await uow.grievances.standing(tracking_no)
    if standing is None:
        raise Problem(404, slug="grievance-not-found", detail="未找到该编号的诉求。")
    return GrievanceStatusRead(
        tracking_no=standing.tracking_no,
        status=standing.status,
        message_zh=standing.message_zh,
        actor=standing.actor,
        closed=standing.closed,
        due_at=standing.due_at,
        updated_at=standing.updated_at,
    )
