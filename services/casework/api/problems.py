"""Refusals of the use cases as problem documents (RFC 9457). Raised inside the route's unit of
work, before its commit, so a refused request changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from services.casework.domain.states import CaseError, IllegalTransition, NotPermitted, RuleViolation, WindowClosed
from services.casework.handlers.actions import CaseNotFound
from services.casework.handlers.hearings import HearingNotFound
from services.casework.handlers.oversight import RecordNotFound, UnknownDepartment
from shared.problems import Problem

_STATUS_OF_ERROR: dict[type[CaseError], int] = {
    IllegalTransition: 409,
    WindowClosed: 409,
    RuleViolation: 422,
    NotPermitted: 403,
}


@contextmanager
def problems() -> Iterator[None]:
    try:
        yield
    except CaseNotFound as exc:
        raise Problem(404, slug="case-not-found", detail="未找到该案件。") from exc
    except HearingNotFound as exc:
        raise Problem(404, slug="hearing-not-found", detail="未找到该听证。") from exc
    except RecordNotFound as exc:
        raise Problem(404, slug=exc.slug, detail=exc.detail_zh) from exc
    except UnknownDepartment as exc:
        raise Problem(422, slug="unknown-department", detail=f"未知的单位代码：{exc.code}。", field=exc.field) from exc
    except CaseError as exc:
        status = next((s for cls, s in _STATUS_OF_ERROR.items() if isinstance(exc, cls)), 409)
        raise Problem(status, slug=exc.code, detail=exc.message_zh) from exc
