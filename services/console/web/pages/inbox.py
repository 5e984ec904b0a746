"""The department officer's inbox: the department's cases with their statutory clocks, one case with
its history, documents and the actions its state allows (forms posting to casework's endpoints).

Casework scopes every read and action to the officer's department by the JWT; the console adds
its own check so a case of another department is never rendered even if an API answered it."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.deps import Api, CsrfViewer, require_roles
from services.console.web.pages import inbox_view as view
from services.console.web.pages.inbox_documents import router as documents_router
from services.console.web.pages.vocabularies import vocabulary
from services.console.web.render import page
from services.console.web.service_api import ApiProblem, ServiceApi
from services.console.web.viewer import Viewer
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Role

router = APIRouter()
router.include_router(documents_router)
officer = require_roles(Role.department_officer)
PAGE_SIZE = 50
# Casework's grievance ids are UUIDs; anything else is answered here, never put into an API path.
CASE_ID = re.compile(r"^[0-9a-fA-F-]{36}$")
DONE_ZH = {a.slug: f"已{a.label.split('（')[0]}。" for a in view.ACTIONS}


def today() -> date:
    return datetime.now(CHINA_TZ).date()


def case_not_found() -> ApiProblem:
    return ApiProblem("casework", 404, {"title": "未找到", "detail": "未找到该案件，或该案件不属于本部门。"})


def checked_case_id(grievance_id: str) -> str:
    if not CASE_ID.fullmatch(grievance_id):
        raise case_not_found()
    return grievance_id


def ensure_own(case: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """An officer sees the cases its department leads or co-handles; anything else is a 404."""
    if viewer.role is Role.department_officer:
        involved = {case["lead"]["code"], *(o["code"] for o in case.get("co", []))}
        if viewer.department not in involved:
            raise case_not_found()
    return case


@router.get("/inbox", response_class=HTMLResponse, summary="部门收件箱")
async def inbox(
    request: Request,
    api: Api,
    viewer: Viewer = officer,
    state: str = "",
    role: str = "",
    overdue: str = "",
    offset: int = 0,
) -> HTMLResponse:
    problem = None
    params: dict[str, Any] = {"limit": PAGE_SIZE, "offset": max(offset, 0)}
    labels = await case_labels(request, api)
    if state and state not in dict(labels.states):
        problem = {"detail": f"未知的案件状态“{state}”，请从列表中选择。"}
    if role and role not in ("lead", "co"):
        problem = {"detail": "承办角色只能是主办或协办。"}
    if state:
        params["state"] = state
    if role:
        params["role"] = role
    if overdue == "1":
        params["overdue"] = "true"
    listing: dict[str, Any] = {"items": [], "total": 0}
    if problem is None:
        listing = await api.get("casework", "/v1/cases", params=params)
    now = today()
    rows = [{"case": c, "clock": view.clock_of(c.get("next_due"), now)} for c in listing["items"]]
    return page(
        request,
        "inbox/list.html",
        viewer,
        status_code=422 if problem else 200,
        rows=rows,
        total=listing["total"],
        offset=params["offset"],
        page_size=PAGE_SIZE,
        filters={"state": state, "role": role, "overdue": overdue},
        state_choices=labels.states,
        role_zh=view.ROLE_ZH,
        problem=problem,
    )


async def case_labels(request: Request, api: ServiceApi) -> view.Labels:
    return view.Labels.of(await vocabulary(request, api, "casework"))


async def read_case(api: ServiceApi, viewer: Viewer, grievance_id: str) -> dict[str, Any]:
    case: dict[str, Any] = await api.get("casework", f"/v1/cases/{checked_case_id(grievance_id)}")
    return ensure_own(case, viewer)


def case_page(
    request: Request,
    viewer: Viewer,
    case: dict[str, Any],
    labels: view.Labels,
    *,
    status_code: int = 200,
    problem: dict[str, Any] | None = None,
    failed: str | None = None,
    submitted: dict[str, str] | None = None,
) -> HTMLResponse:
    now = today()
    return page(
        request,
        "inbox/case.html",
        viewer,
        status_code=status_code,
        case=case,
        clocks=[(d, view.clock_of(d, now)) for d in case.get("deadlines", [])],
        history=view.history_of(case),
        actions=view.available_actions(case),
        decisions=labels.decision_choices(case.get("petition_kind")),
        grounds=labels.grounds,
        routes=labels.routes,
        role_zh=view.ROLE_ZH,
        problem_lines=view.problem_lines(problem, view.FIELD_LABELS),
        local_time=view.local_time,
        problem=problem,
        failed=failed,
        submitted=submitted or {},
        done=DONE_ZH.get(request.query_params.get("done", "")),
        # One key per rendered form: a double submit replays casework's first answer.
        form_key=secrets.token_urlsafe(16),
    )


@router.get("/inbox/{grievance_id}", response_class=HTMLResponse, summary="案件详情")
async def case_detail(request: Request, grievance_id: str, api: Api, viewer: Viewer = officer) -> HTMLResponse:
    case = await read_case(api, viewer, grievance_id)
    return case_page(request, viewer, case, await case_labels(request, api))


@router.post("/inbox/{grievance_id}/actions/{slug}", response_model=None, summary="办理操作")
async def act(
    request: Request, grievance_id: str, slug: str, api: Api, viewer: CsrfViewer, _: Viewer = officer
) -> Response:
    """POSTs the form to casework; on success back to the case (PRG), on a refusal the case page
    again with casework's reason and the text the officer typed, nothing changed."""
    action = view.ACTIONS_BY_SLUG.get(slug)
    case_id = checked_case_id(grievance_id)
    if action is None:
        raise ApiProblem("console", 404, {"detail": "没有这个办理操作。"})
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    # Read first: a case of another department is refused before anything is sent.
    await read_case(api, viewer, case_id)
    key = form.get("form_key", "")
    headers = {"Idempotency-Key": key} if re.fullmatch(r"[A-Za-z0-9_-]{8,64}", key) else None
    try:
        await api.post(
            "casework", f"/v1/cases/{case_id}/{action.slug}", json=view.action_body(slug, form), headers=headers
        )
    except ApiProblem as refused:
        if refused.status not in (403, 409, 422):
            raise
        case = await read_case(api, viewer, case_id)
        labels = await case_labels(request, api)
        return case_page(
            request,
            viewer,
            case,
            labels,
            status_code=refused.status,
            problem=refused.problem,
            failed=slug,
            submitted=form,
        )
    return RedirectResponse(f"/inbox/{case_id}?done={slug}", status_code=303)
