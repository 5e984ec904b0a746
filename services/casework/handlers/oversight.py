"""What the recommendation, assistance and evaluation use cases share: the not-found refusal and
who reads everything."""

from __future__ import annotations

from services.casework.handlers.context import CaseworkContext
from services.casework.schemas.cases import Office
from shared.auth import StaffPrincipal
from shared.events.vocabulary import Role

SEES_ALL = frozenset({Role.supervisor, Role.admin})


class RecordNotFound(Exception):
    """Absent, or another department's: the same answer, so nothing leaks (404)."""

    def __init__(self, slug: str, detail_zh: str) -> None:
        super().__init__(slug)
        self.slug = slug
        self.detail_zh = detail_zh


class UnknownDepartment(Exception):
    """A department code the catalog does not know (422)."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


def sees_all(staff: StaffPrincipal) -> bool:
    return staff.role in SEES_ALL


def may_see(staff: StaffPrincipal, department: str) -> bool:
    """Supervisors see every department's records, an officer its own department's only."""
    return sees_all(staff) or (staff.department is not None and staff.department == department)


def known_department(ctx: CaseworkContext, code: str, *, field: str) -> str:
    if code not in ctx.catalog.departments:
        raise UnknownDepartment(field, code)
    return code


def office_of(ctx: CaseworkContext, code: str) -> Office:
    return Office(code=code, name=ctx.name(code))


def link(ctx: CaseworkContext, path: str) -> str:
    """An API link, absolute when the public base URL is configured (as case links are)."""
    return f"{(ctx.settings.public_base_url or '').rstrip('/')}{path}"
