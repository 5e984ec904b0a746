"""Reading a grievance record: the citizen's masked view, staff views, audited contact reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.intake import db, free_text
from services.intake.handlers import IntakeContext
from services.intake.schemas import AddressOut, ComplainantOut, ContactRead, GrievanceRead
from shared.auth import StaffPrincipal
from shared.db.audit import record_audit
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Channel
from shared.pii import tokens_match
from shared.pii_text import mask_free_text
from shared.problems import Problem


async def read_grievance(*, uow: UnitOfWork, tracking_no: str, token: str | None) -> GrievanceRead:
    """The record as filed, for a citizen holding the tracking token; 404 for anything else."""
    g, c = db.grievance, db.complainant
    row = (
        await uow.session.execute(
            select(g, c.c.name_masked, c.c.mobile_masked, c.c.id_card_masked, c.c.email_masked, c.c.anonymous)
            .join(c, c.c.grievance_id == g.c.id)
            .where(g.c.tracking_no == tracking_no)
        )
    ).first()
    # Same answer for "no such number" and "wrong token": the number alone reveals nothing.
    if row is None or not token or not tokens_match(token, row.tracking_token_hash):
        raise Problem(404, slug="grievance-not-found", detail="未找到该编号的诉求，或查询码不正确。")
    return _as_read(row)


async def read_grievance_for_staff(*, uow: UnitOfWork, tracking_no: str, staff: StaffPrincipal) -> GrievanceRead:
    g, c = db.grievance, db.complainant
    row = (
        await uow.session.execute(
            select(g, c.c.name_masked, c.c.mobile_masked, c.c.id_card_masked, c.c.email_masked, c.c.anonymous)
            .join(c, c.c.grievance_id == g.c.id)
            .where(g.c.tracking_no == tracking_no)
        )
    ).first()
    if row is None:
        raise Problem(404, slug="grievance-not-found", detail="未找到该编号的诉求。")
    await audit(uow, staff, "read_grievance", row.id, {"tracking_no": tracking_no})
    await uow.commit()
    return _as_read(row)


def _as_read(row: Any) -> GrievanceRead:
    return GrievanceRead(
        grievance_id=row.id,
        tracking_no=row.tracking_no,
        channel=Channel(row.channel),
        received_at=row.received_at,
        title=row.title,
        content=row.content,
        address=AddressOut(street=row.street, community=row.community, detail=row.address_detail),
        respondent=row.respondent,
        desired_outcome=row.desired_outcome,
        attachments=list(row.attachments),
        complainant=ComplainantOut(
            name_masked=row.name_masked,
            mobile_masked=row.mobile_masked,
            id_card_masked=row.id_card_masked,
            email_masked=row.email_masked,
            anonymous=row.anonymous,
        ),
    )


async def read_contact(
    *, uow: UnitOfWork, ctx: IntakeContext, tracking_no: str, staff: StaffPrincipal, purpose: str
) -> ContactRead:
    """Decrypt the contact data and free-text originals for a call-back (回访); audited with the purpose."""
    g, c = db.grievance, db.complainant
    row = (
        await uow.session.execute(
            select(
                g.c.id,
                c.c.name_encrypted,
                c.c.mobile_encrypted,
                c.c.id_card_encrypted,
                c.c.email_encrypted,
                c.c.purged_at,
            )
            .join(c, c.c.grievance_id == g.c.id)
            .where(g.c.tracking_no == tracking_no)
        )
    ).first()
    if row is None:
        raise Problem(404, slug="grievance-not-found", detail="未找到该编号的诉求。")
    if row.purged_at is not None:
        # Gone for good (services.intake.retention), unlike a wrong number: say so, and when.
        raise Problem(
            410,
            slug="personal-data-purged",
            title="Personal data purged",
            detail="该诉求已办结且超过个人信息保存期限，诉求人的联系方式已按规定匿名化删除，无法再查看。",
            purged_at=row.purged_at.isoformat(),
        )
    # The purpose is staff free text in a plain column: a number typed into it is masked too.
    detail = {"tracking_no": tracking_no, "purpose": mask_free_text(purpose).text}
    await audit(uow, staff, "read_contact", row.id, detail)
    cipher = ctx.cipher
    originals = await free_text.read_originals(uow, cipher, row.id)
    await uow.commit()
    return ContactRead(
        tracking_no=tracking_no,
        name=cipher.decrypt(row.name_encrypted, field="name") if row.name_encrypted else None,
        mobile=cipher.decrypt(row.mobile_encrypted, field="mobile") if row.mobile_encrypted else None,
        id_card=cipher.decrypt(row.id_card_encrypted, field="id_card") if row.id_card_encrypted else None,
        email=cipher.decrypt(row.email_encrypted, field="email") if row.email_encrypted else None,
        free_text_originals=originals,
    )


async def audit(
    uow: UnitOfWork,
    staff: StaffPrincipal,
    action: str,
    grievance_id: str | None,
    detail: dict[str, Any],
    at: datetime | None = None,
) -> None:
    await record_audit(
        uow.session, db.audit_log, actor=staff, action=action, subject=grievance_id, detail=detail, at=at
    )
