"""Who may see what of a case: the department's own cases only, and a report's reporter and
materials only for the 纪检监察 body handling it (§22, §30) — never for the reported unit."""

from __future__ import annotations

from enum import StrEnum

from services.casework.domain.case import Case
from services.casework.domain.kinds import is_confidential


class Reader(StrEnum):
    lead = "lead"  # officer of the lead department (or the 政法 body)
    co = "co"  # officer of a co-handling department
    bureau = "bureau"  # supervisor or admin of the petitions bureau: sees every case
    citizen = "citizen"  # holder of the tracking token


def staff_reader(case: Case, *, department: str | None, sees_all: bool) -> Reader | None:
    """None means the case does not exist for this reader (answered as 404, not 403)."""
    if department is not None:
        if department == case.lead:
            return Reader.lead
        if department in case.co:
            return Reader.co
    return Reader.bureau if sees_all else None


def may_read_grievance(case: Case, reader: Reader) -> bool:
    """The grievance as filed (content, attachments, masked complainant)."""
    if is_confidential(case.petition_kind):
        return reader in (Reader.lead, Reader.citizen)
    return True


def may_read_documents(case: Case, reader: Reader) -> bool:
    """Notices name the complainant and restate the matter, so they follow the same rule."""
    return may_read_grievance(case, reader)


def may_read_co_opinions(reader: Reader) -> bool:
    return reader in (Reader.lead, Reader.co, Reader.bureau)
