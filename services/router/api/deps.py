"""What the router's endpoints depend on, as ``Annotated`` aliases, and how refusals become
problem documents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request

from services.router.domain.errors import (
    InvalidDecision,
    ReviewAlreadyDecided,
    ReviewNotFound,
    TooManyBuckets,
)
from services.router.handlers.context import RouterContext
from services.router.repositories import RouterUnitOfWork
from services.router.settings import Settings
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.events.vocabulary import Role
from shared.problems import Problem


async def _context(request: Request) -> RouterContext:
    ctx: RouterContext = request.app.state.ctx
    return ctx


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _unit_of_work(request: Request) -> RouterUnitOfWork:
    """A fresh unit of work of the router's schema (not yet begun)."""
    uow: RouterUnitOfWork = request.app.state.infra.uow()
    return uow


Reviewer = Annotated[StaffPrincipal, Depends(require_roles(Role.reviewer))]
Supervisor = Annotated[StaffPrincipal, Depends(require_roles(Role.supervisor))]
Ctx = Annotated[RouterContext, Depends(_context)]
Config = Annotated[Settings, Depends(_settings)]
Uow = Annotated[RouterUnitOfWork, Depends(_unit_of_work)]


@contextmanager
def problems() -> Iterator[None]:
    """The router's refusals as problem documents; nothing was committed, so nothing changed."""
    try:
        yield
    except ReviewNotFound as exc:
        raise Problem(404, slug="review-not-found", detail=exc.message_zh) from exc
    except ReviewAlreadyDecided as exc:
        raise Problem(409, slug="review-already-decided", detail=exc.message_zh) from exc
    except InvalidDecision as exc:
        raise Problem(422, slug="validation", detail="提交的审核决定有误。", errors=[_error(exc)]) from exc
    except TooManyBuckets as exc:
        raise Problem(422, slug="validation", detail=exc.message_zh) from exc


def _error(exc: InvalidDecision) -> dict[str, str]:
    return {
        "pointer": f"#/{exc.field}",
        "field": exc.field,
        "in": "body",
        "code": "invalid",
        "message": exc.message_zh,
        "message_zh": exc.message_zh,
    }
