"""The mediator's pages: own cases with their time limits, one case with the forms its state allows
(受理, 当事人同意, 调解会, 调解协议书 or 终止), and the session calendar (mediation_calendar).

The mediation API answers only the caller's own cases (anyone else's is 404) and says itself
which actions the case allows (``allowed_actions``); the console offers exactly those."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.deps import Api, CsrfViewer, require_roles
from services.console.web.pages import mediation_view as view
from services.console.web.pages.inbox_view import local_time, problem_lines
from services.console.web.pages.mediation_calendar import router as calendar_router
from services.console.web.pages.mediation_documents import router as documents_router
from services.console.web.pages.vocabularies import vocabulary
from services.console.web.render import page
from services.console.web.service_api import ApiProblem, ServiceApi
from services.console.web.viewer import Viewer
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Role

router = APIRouter()
# Fixed paths first: /mediation/{case_id} would otherwise take /mediation/calendar.
router.include_router(calendar_router)
router.include_router(documents_router)
mediator = require_roles(Role.mediator)
# The states in which the time limit runs (the API's open states).
OPEN = {"opened", "accepted", "in_mediation", "scheduled"}
DONE_ZH = {f.slug: f"已完成：{f.label}。" for f in view.FORMS}


async def names(request: Request, api: ServiceApi) -> view.Names:
    return view.Names.of(await vocabulary(request, api, "mediation"))


def case_path(case_id: str) -> str:
    """The API path of a case; a malformed id is answered like a missing case, never sent on."""
    try:
        return f"/v1/mediations/{uuid.UUID(case_id)}"
    except ValueError:
        raise ApiProblem("mediation", 404, {"detail": "未找到该调解案件。"}) from None


@router.get("/mediation", response_class=HTMLResponse, summary="我的调解案件")
async def my_cases(request: Request, api: Api, viewer: Viewer = mediator, state: str = "") -> HTMLResponse:
    problem = None
    params: dict[str, Any] = {"limit": 200}
    states = (await names(request, api)).states
    if state and state not in states:
        problem = {"detail": f"未知的案件状态“{state}”，请从列表中选择。"}
    elif state:
        params["state"] = state
    cases: list[dict[str, Any]] = [] if problem else await api.get("mediation", "/v1/mediations/mine", params=params)
    now = datetime.now(CHINA_TZ)
    rows = [{"case": c, "clock": view.days_left(c["due_at"], now) if c["state"] in OPEN else None} for c in cases]
    return page(
        request,
        "mediation/list.html",
        viewer,
        status_code=422 if problem else 200,
        rows=rows,
        state=state,
        state_zh=states,
        local_time=local_time,
        problem=problem,
    )


def case_page(
    request: Request,
    viewer: Viewer,
    case: dict[str, Any],
    labels: view.Names,
    *,
    status_code: int = 200,
    problem: dict[str, Any] | None = None,
    failed: str | None = None,
    submitted: dict[str, str] | None = None,
) -> HTMLResponse:
    clock = view.days_left(case["due_at"], datetime.now(CHINA_TZ)) if case["state"] in OPEN else None
    return page(
        request,
        "mediation/case.html",
        viewer,
        status_code=status_code,
        case=case,
        clock=clock,
        forms=view.open_forms(case),
        pending=view.pending_session(case),
        parties=labels.parties,
        party_zh=dict(labels.parties),
        problem_lines=problem_lines(problem, view.FIELD_LABELS),
        local_time=local_time,
        problem=problem,
        failed=failed,
        submitted=submitted or {},
        done=DONE_ZH.get(request.query_params.get("done", "")),
    )


async def read_case(api: ServiceApi, case_id: str) -> dict[str, Any]:
    case: dict[str, Any] = await api.get("mediation", case_path(case_id))
    return case


@router.get("/mediation/{case_id}", response_class=HTMLResponse, summary="调解案件")
async def case_detail(request: Request, case_id: str, api: Api, viewer: Viewer = mediator) -> HTMLResponse:
    case = await read_case(api, case_id)
    return case_page(request, viewer, case, await names(request, api))


@router.post("/mediation/{case_id}/actions/{slug}", response_model=None, summary="调解操作")
async def act(
    request: Request, case_id: str, slug: str, api: Api, viewer: CsrfViewer, _: Viewer = mediator
) -> Response:
    """The form to the mediation API; on success back to the case, on a refusal the case again
    with the service's reason and what the mediator typed (nothing changed)."""
    path = case_path(case_id)
    if slug not in view.FORMS_BY_SLUG:
        raise ApiProblem("console", 404, {"detail": "没有这个调解操作。"})
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    labels = await names(request, api)
    try:
        suffix, body = view.action_request(slug, form, parties=[value for value, _ in labels.parties])
        await api.post("mediation", path + suffix, json=body)
    except view.FormProblem as bad:
        return case_page(
            request, viewer, await read_case(api, case_id), labels, status_code=422, problem=bad.problem,
            failed=slug, submitted=form,
        )  # fmt: skip
    except ApiProblem as refused:
        if refused.status not in (403, 409, 422):
            raise
        return case_page(
            request, viewer, await read_case(api, case_id), labels, status_code=refused.status,
            problem=refused.problem, failed=slug, submitted=form,
        )  # fmt: skip
    return RedirectResponse(f"/mediation/{uuid.UUID(case_id)}?done={slug}", status_code=303)
