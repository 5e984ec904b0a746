"""What the feedback routes depend on, as ``Annotated`` aliases: the context, the unit of work,
the live-stream hub, the citizen's tracking number and token, the supervisor; and the one
translation of refusals into problem documents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request

from services.feedback.domain.follow_up import FollowUpRefused
from services.feedback.domain.grievance import GrievanceNotFound
from services.feedback.handlers.context import FeedbackContext
from services.feedback.repositories import FeedbackUnitOfWork
from services.feedback.stream.hub import TimelineHub
from shared.auth.dependencies import require_roles
from shared.auth.tokens import StaffPrincipal
from shared.events.vocabulary import Role
from shared.problems import Problem

NOT_FOUND_DETAIL = "未找到该编号的诉求，或查询码不正确。"


async def context(request: Request) -> FeedbackContext:
    ctx: FeedbackContext = request.app.state.ctx
    return ctx


async def unit_of_work(request: Request) -> FeedbackUnitOfWork:
    """A fresh unit of work (not yet begun)."""
    uow: FeedbackUnitOfWork = request.app.state.infra.uow()
    return uow


async def reading_unit_of_work(request: Request) -> FeedbackUnitOfWork:
    """A fresh unit of work for reads only, each statement in autocommit (Infrastructure.reads):
    under READ COMMITTED a transaction would give its statements no common snapshot anyway."""
    uow: FeedbackUnitOfWork = request.app.state.infra.reads()
    return uow


async def reading_factory(request: Request) -> Callable[[], FeedbackUnitOfWork]:
    """For a live stream, which reads in short units of work and holds no connection in between:
    each read a statement of its own in autocommit (Infrastructure.reads)."""
    make: Callable[[], FeedbackUnitOfWork] = request.app.state.infra.reads
    return make


async def timeline_hub(request: Request) -> TimelineHub:
    hub: TimelineHub = request.app.state.hub
    return hub


async def tracking_token(
    x_tracking_token: Annotated[str | None, Header(alias="X-Tracking-Token", max_length=200)] = None,
    token: Annotated[
        str | None, Query(max_length=200, description="the tracking token, where a header cannot be set (EventSource)")
    ] = None,
) -> str | None:
    return x_tracking_token or token


Ctx = Annotated[FeedbackContext, Depends(context)]
Uow = Annotated[FeedbackUnitOfWork, Depends(unit_of_work)]
ReadUow = Annotated[FeedbackUnitOfWork, Depends(reading_unit_of_work)]
Reads = Annotated[Callable[[], FeedbackUnitOfWork], Depends(reading_factory)]
Hub = Annotated[TimelineHub, Depends(timeline_hub)]
TrackingNo = Annotated[str, Path(min_length=1, max_length=40, description="查询编号, e.g. GM-20261126-000123")]
TrackingToken = Annotated[str | None, Depends(tracking_token)]
Supervisor = Annotated[StaffPrincipal, Depends(require_roles(Role.supervisor))]


@contextmanager
def problems() -> Iterator[None]:
    """Refusals become problem documents; nothing was committed, so nothing changed."""
    try:
        yield
    except GrievanceNotFound as exc:
        # One answer for an unknown number and a wrong token: the number's existence is not revealed.
        raise Problem(404, slug="grievance-not-found", detail=NOT_FOUND_DETAIL) from exc
    except FollowUpRefused as exc:
        raise Problem(409, slug=exc.code, detail=exc.message_zh) from exc
