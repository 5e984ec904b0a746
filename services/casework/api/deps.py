"""What the casework routes depend on, as Annotated aliases: who may call (staff by role), the
context, the unit of work, the Idempotency-Key and the statistics period."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.casework.handlers.context import CaseworkContext
from services.casework.repositories import CaseworkUnitOfWork
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.events.vocabulary import Role
from shared.idempotency import IdempotencyKey
from shared.statistics_params import StatisticsPeriod
from shared.web import unit_of_work

__all__ = [
    "AnyStaff",
    "CaseReader",
    "Ctx",
    "IdempotencyKey",
    "Officer",
    "StatisticsPeriod",
    "Supervisor",
    "Uow",
]


async def _context(request: Request) -> CaseworkContext:
    ctx: CaseworkContext = request.app.state.ctx
    return ctx


async def _unit_of_work(request: Request) -> CaseworkUnitOfWork:
    return CaseworkUnitOfWork.of(await unit_of_work(request))


Ctx = Annotated[CaseworkContext, Depends(_context)]
# A fresh unit of work (not yet begun): the route opens it with ``async with uow``.
Uow = Annotated[CaseworkUnitOfWork, Depends(_unit_of_work)]

# A department officer acts on its own department's cases.
Officer = Annotated[StaffPrincipal, Depends(require_roles(Role.department_officer))]
# The bureau: reads everything, records review opinions, supervises, evaluates.
Supervisor = Annotated[StaffPrincipal, Depends(require_roles(Role.supervisor))]
# Who reads cases: an officer its own department's, a supervisor all.
CaseReader = Annotated[StaffPrincipal, Depends(require_roles(Role.department_officer, Role.supervisor))]
AnyStaff = Annotated[StaffPrincipal, Depends(require_roles(*Role))]
