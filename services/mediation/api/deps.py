"""Dependencies shared by the routers: the unit of work, the context, role sets."""

from __future__ import annotations

from fastapi import Request

from services.mediation.handlers.context import MediationContext
from shared.auth.dependencies import require_roles
from shared.events.vocabulary import Role


async def context(request: Request) -> MediationContext:
    ctx: MediationContext = request.app.state.ctx
    return ctx


# Mediators act on their own cases; supervisors read everything and reassign; admin may do all.
mediator = require_roles(Role.mediator)
reader = require_roles(Role.mediator, Role.supervisor)
supervisor = require_roles(Role.supervisor)
