"""The dependencies of intake's routes, once: the context, the unit of work and who may call.

async def route(body: ..., staff: Registrar, ctx: Ctx, uow: Uow) -> ...
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.intake.handlers.context import IntakeContext
from services.intake.repositories import IntakeUnitOfWork
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.events.vocabulary import Role
from shared.idempotency import IdempotencyKey

__all__ = ["BureauStaff", "Ctx", "IdempotencyKey", "Registrar", "RegistrarOrSupervisor", "Uow"]


async def _context(request: Request) -> IntakeContext:
    ctx: IntakeContext = request.app.state.ctx
    return ctx


async def _unit_of_work(request: Request) -> IntakeUnitOfWork:
    # shared.web.unit_of_work's factory, read here directly: one dependency less on every route.
    return IntakeUnitOfWork.of(request.app.state.infra.uow())


Ctx = Annotated[IntakeContext, Depends(_context)]
# A fresh unit of work of intake's schema, not yet begun: the route enters it (``async with uow``).
Uow = Annotated[IntakeUnitOfWork, Depends(_unit_of_work)]

# Who may call: a registrar files visits, calls and letters; the complainant's contact data and
# earlier grievances are for registrars and supervisors; the masked record for all bureau staff.
Registrar = Annotated[StaffPrincipal, Depends(require_roles(Role.registrar))]
RegistrarOrSupervisor = Annotated[StaffPrincipal, Depends(require_roles(Role.registrar, Role.supervisor))]
BureauStaff = Annotated[StaffPrincipal, Depends(require_roles(Role.registrar, Role.reviewer, Role.supervisor))]
