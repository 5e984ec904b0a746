"""Staff look-ups that help a registration: a complainant's earlier grievances, where one stands.

Earlier grievances are found by keyed pseudonym (HMAC of the normalised number), the same match
the router makes for repeats (重复件): nothing is decrypted. Every key in the pseudonym ring is
tried, so rows not yet rotated to the active key are found too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from services.intake import db
from services.intake.handlers import IntakeContext
from services.intake.records import audit
from services.intake.schemas import (
    ComplainantGrievances,
    ComplainantLookup,
    EarlierGrievance,
    GrievanceStatusRead,
)
from shared.auth import StaffPrincipal
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Channel
from shared.pii import mask_id_card, mask_mobile, normalise_id_card, normalise_mobile, pseudonym
from shared.problems import Problem

_G, _C, _S = db.grievance, db.complainant, db.grievance_status


def _pseudonyms(ctx: IntakeContext, kind: str, value: str | None) -> list[str]:
    if not value:
        return []
    return [pseudonym(key, kind, value) for key in ctx.settings.pseudonym_keys.values()]


async def complainant_grievances(
    *, uow: UnitOfWork, ctx: IntakeContext, staff: StaffPrincipal, lookup: ComplainantLookup
) -> ComplainantGrievances:
    """The grievances of whoever has this ID number or mobile, newest first; audited with masks."""
    id_card = normalise_id_card(lookup.id_card) if lookup.id_card else None
    mobile = normalise_mobile(lookup.mobile) if lookup.mobile else None
    by_id_card = _pseudonyms(ctx, "id_card", id_card)
    by_mobile = _pseudonyms(ctx, "mobile", mobile)
    conditions: list[Any] = []
    if by_id_card:
        conditions.append(_C.c.id_card_pseudonym.in_(by_id_card))
    if by_mobile:
        conditions.append(_C.c.mobile_pseudonym.in_(by_mobile))
    matching = or_(*conditions)
    joined = _G.join(_C, _C.c.grievance_id == _G.c.id).outerjoin(_S, _S.c.grievance_id == _G.c.id)
    total = await uow.session.scalar(select(func.count()).select_from(joined).where(matching))
    rows = (
        await uow.session.execute(
            select(
                _G.c.tracking_no,
                _G.c.received_at,
                _G.c.channel,
                _G.c.title,
                _G.c.street,
                _G.c.community,
                _S.c.status,
                _S.c.message_zh,
                _S.c.closed,
                _C.c.id_card_pseudonym,
                _C.c.mobile_pseudonym,
            )
            .select_from(joined)
            .where(matching)
            .order_by(_G.c.received_at.desc(), _G.c.tracking_no.desc())
            .limit(lookup.limit)
        )
    ).all()
    found = [
        EarlierGrievance(
            tracking_no=row.tracking_no,
            received_at=row.received_at,
            channel=Channel(row.channel),
            title=row.title,
            street=row.street,
            community=row.community,
            status=row.status,
            status_message_zh=row.message_zh,
            closed=bool(row.closed),
            matched_on=[
                *(["id_card"] if row.id_card_pseudonym in by_id_card else []),
                *(["mobile"] if row.mobile_pseudonym in by_mobile else []),
            ],
        )
        for row in rows
    ]
    # Masked forms only: the audit log says whom staff looked for without holding the numbers.
    detail = {
        "id_card": mask_id_card(id_card) if id_card else None,
        "mobile": mask_mobile(mobile) if mobile else None,
        "found": int(total or 0),
    }
    await audit(uow, staff, "lookup_complainant_grievances", None, detail)
    await uow.commit()
    return ComplainantGrievances(grievances=found, total=int(total or 0))


async def grievance_status(*, uow: UnitOfWork, tracking_no: str) -> GrievanceStatusRead:
    """The status read model's row; not audited, as it holds no personal data (pages poll it)."""
    row = (
        await uow.session.execute(
            select(
                _G.c.tracking_no, _S.c.status, _S.c.message_zh, _S.c.actor, _S.c.closed, _S.c.due_at, _S.c.updated_at
            )
            .select_from(_G.outerjoin(_S, _S.c.grievance_id == _G.c.id))
            .where(_G.c.tracking_no == tracking_no)
        )
    ).first()
    if row is None:
        raise Problem(404, slug="grievance-not-found", detail="未找到该编号的诉求。")
    return GrievanceStatusRead(
        tracking_no=row.tracking_no,
        status=row.status,
        message_zh=row.message_zh,
        actor=row.actor,
        closed=bool(row.closed),
        due_at=row.due_at,
        updated_at=row.updated_at,
    )
