"""What the mediation routes depend on, as ``Annotated`` aliases: who calls (by role), the context,
the unit of work, the document rate limit. Every endpoint takes its dependencies from here."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.mediation.handlers.context import MediationContext
from services.mediation.repositories import MediationUnitOfWork
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.events.vocabulary import Role
from shared.web import rate_limit


async def context(request: Request) -> MediationContext:
    ctx: MediationContext = request.app.state.ctx
    return ctx


async def unit_of_work(request: Request) -> MediationUnitOfWork:
    """A fresh unit of work of the mediation schema (not yet begun), with its repositories."""
    return MediationUnitOfWork.of(request.app.state.infra.uow())


Ctx = Annotated[MediationContext, Depends(context)]
Uow = Annotated[MediationUnitOfWork, Depends(unit_of_work)]

# Mediators act on their own cases; supervisors read everything and reassign; admin may do all.
MediatorStaff = Annotated[StaffPrincipal, Depends(require_roles(Role.mediator))]
Reader = Annotated[StaffPrincipal, Depends(require_roles(Role.mediator, Role.supervisor))]
Supervisor = Annotated[StaffPrincipal, Depends(require_roles(Role.supervisor))]
AnyStaff = Annotated[StaffPrincipal, Depends(require_roles(*Role))]

# Citizens' document downloads share one limit (settings.document_rate_limit).
DOCUMENT_RATE_LIMIT = rate_limit("document")
