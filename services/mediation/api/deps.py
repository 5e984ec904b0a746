"""Dependencies shared by the routers: the unit of work, the context, role sets."""

from __future__ import annotations

from fastapi import Request

from services.mediation.handlers.context import MediationContext
from shared.auth.dependencies import require_roles
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Role


def unit_of_work(request: Request) -> UnitOfWork:
    uow: UnitOfWork = request.app.state.infra.uow()
    return uow


def context(request: Request) -> MediationContext:
    ctx: MediationContext = request.app.state.ctx
    return ctx


# Mediators act on their own cases; supervisors read everything and reassign; admin may do all.
mediator = require_roles(Role.mediator)
reader = require_roles(Role.mediator, Role.supervisor)
supervisor = require_roles(Role.supervisor)
