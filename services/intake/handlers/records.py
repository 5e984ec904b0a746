"""Reading a grievance record: the citizen's masked view, staff views, audited contact reads."""

from __future__ import annotations

from services.intake.domain.free_text import associated_data
from services.intake.handlers.context import IntakeContext
from services.intake.repositories import IntakeUnitOfWork
from services.intake.repositories.grievances import FiledRecord
from services.intake.schemas import AddressOut, ComplainantOut, ContactRead, GrievanceRead
from shared.auth import StaffPrincipal
from shared.events.vocabulary import Channel
from shared.pii import tokens_match
from shared.pii_text import mask_free_text
from shared.problems import Problem


def _not_found(detail: str = "未找到该编号的诉求。") -> Problem:
    return Problem(404, slug="grievance-not-found", detail=detail)


async def read_grievance(*, uow: IntakeUnitOfWork, tracking_no: str, token: str | None) -> GrievanceRead:
    """The record as filed, for a citizen holding the tracking token; 404 for anything else."""
    record = await uow.grievances.filed(tracking_no)
    # Same answer for "no such number" and "wrong token": the number alone reveals nothing.
    if record is None or not token or not tokens_match(token, record.tracking_token_hash):
        raise _not_found("未找到该编号的诉求，或查询码不正确。")
    return _as_read(record)


async def read_grievance_for_staff(*, uow: IntakeUnitOfWork, tracking_no: str, staff: StaffPrincipal) -> GrievanceRead:
    """The masked record for bureau staff; every read is audited."""
    record = await uow.grievances.filed(tracking_no)
    if record is None:
        raise _not_found()
    await uow.audit.record(staff, "read_grievance", record.id, {"tracking_no": tracking_no})
    await uow.commit()
    return _as_read(record)


def _as_read(record: FiledRecord) -> GrievanceRead:
    return GrievanceRead(
        grievance_id=record.id,
        tracking_no=record.tracking_no,
        channel=Channel(record.channel),
        received_at=record.received_at,
        title=record.title,
        content=record.content,
        address=AddressOut(street=record.street, community=record.community, detail=record.address_detail),
        respondent=record.respondent,
        desired_outcome=record.desired_outcome,
        attachments=list(record.attachments),
        complainant=ComplainantOut(
            name_masked=record.name_masked,
            mobile_masked=record.mobile_masked,
            id_card_masked=record.id_card_masked,
            email_masked=record.email_masked,
            anonymous=record.anonymous,
        ),
    )


async def read_contact(
    *, uow: IntakeUnitOfWork, ctx: IntakeContext, tracking_no: str, staff: StaffPrincipal, purpose: str
) -> ContactRead:
    """Decrypt the contact data and free-text originals for a call-back (回访); audited with the purpose."""
    contact = await uow.grievances.sealed_contact(tracking_no)
    if contact is None:
        raise _not_found()
    if contact.purged_at is not None:
        # Gone for good (handlers.retention), unlike a wrong number: say so, and when.
        raise Problem(
            410,
            slug="personal-data-purged",
            title="Personal data purged",
            detail="该诉求已办结且超过个人信息保存期限，诉求人的联系方式已按规定匿名化删除，无法再查看。",
            purged_at=contact.purged_at.isoformat(),
        )
    # The purpose is staff free text in a plain column: a number typed into it is masked too.
    detail = {"tracking_no": tracking_no, "purpose": mask_free_text(purpose).text}
    await uow.audit.record(staff, "read_contact", contact.grievance_id, detail)
    cipher = ctx.cipher
    originals = {
        name: cipher.decrypt(blob, field=associated_data(name))
        for name, blob in (await uow.free_text.for_grievance(contact.grievance_id)).items()
    }
    await uow.commit()

    def plain(blob: bytes | None, field: str) -> str | None:
        return cipher.decrypt(blob, field=field) if blob else None

    return ContactRead(
        tracking_no=tracking_no,
        name=plain(contact.name_encrypted, "name"),
        mobile=plain(contact.mobile_encrypted, "mobile"),
        id_card=plain(contact.id_card_encrypted, "id_card"),
        email=plain(contact.email_encrypted, "email"),
        free_text_originals=originals,
    )
