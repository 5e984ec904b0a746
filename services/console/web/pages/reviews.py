"""The reviewer's pages: the router's review queue (urgent first, then oldest), one item with its
evidence marked, the decision (accept, or correct track / area / category / departments) posted to
the router, and a panel that watches the grievance reach the chosen department."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.deps import Api, check_csrf, require_roles
from services.console.web.pages import reviews_form as form_of
from services.console.web.pages.reviews_dispatch import POLL_SECONDS, dispatch_view
from services.console.web.pages.reviews_evidence import evidence_terms, highlight
from services.console.web.pages.reviews_form import DecisionDraft, field_errors
from services.console.web.render import page
from services.console.web.service_api import ApiProblem, ServiceApi
from services.console.web.viewer import Viewer
from shared.events.vocabulary import Area, Role

router = APIRouter()
reviewer = require_roles(Role.reviewer)
PAGE_SIZE = 20
QUEUES = {"pending": "待审核", "decided": "已审核"}
# The router's review ids are UUIDs; anything else is answered here, never put into an API path.
REVIEW_ID = re.compile(r"^[0-9a-fA-F-]{36}$")


def _review_path(review_id: str) -> str:
    if not REVIEW_ID.fullmatch(review_id):
        raise ApiProblem("router", 404, {"title": "未找到", "detail": "未找到该审核事项。"})
    return f"/v1/reviews/{review_id}"


@router.get("/reviews", response_class=HTMLResponse, summary="分流审核队列")
async def queue(
    request: Request, api: Api, viewer: Viewer = reviewer, status: str = "pending", page_no: int = 1
) -> HTMLResponse:
    status = status if status in QUEUES else "pending"
    page_no = max(page_no, 1)
    listing = await api.get(
        "router", "/v1/reviews", params={"status": status, "limit": PAGE_SIZE, "offset": (page_no - 1) * PAGE_SIZE}
    )
    for item in listing["items"]:
        item["created_at"] = datetime.fromisoformat(item["created_at"])
    pages = max(1, -(-int(listing["total"]) // PAGE_SIZE))
    return page(
        request,
        "reviews/queue.html",
        viewer,
        listing=listing,
        status=status,
        queues=QUEUES,
        page_no=page_no,
        pages=pages,
        labels=form_of.LABELS,
    )


async def _detail(
    request: Request,
    api: ServiceApi,
    viewer: Viewer,
    review_id: str,
    *,
    draft: DecisionDraft | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    review = await api.get("router", _review_path(review_id))
    proposed = review["proposed"]
    marked, found = highlight(review["content"], evidence_terms(proposed.get("reasons") or []))
    title_marked, _ = highlight(review["title"], found)
    draft = draft or DecisionDraft.of_proposal(proposed, with_departments=False)
    dispatch = await dispatch_view(api, review) if review["status"] == "decided" and review.get("decided_at") else None
    return page(
        request,
        "reviews/detail.html",
        viewer,
        status_code=status_code,
        review=review,
        proposed=proposed,
        content_marked=marked,
        title_marked=title_marked,
        evidence=found,
        draft=draft,
        errors=errors or {},
        general=general or [],
        dispatch=dispatch,
        poll_seconds=POLL_SECONDS,
        areas=[a.value for a in Area],
        categories=form_of.categories_of(draft.area),
        items=form_of.items_of(draft.area, draft.category),
        departments=form_of.departments(),
        labels=form_of.LABELS,
    )


@router.get("/reviews/taxonomy", response_class=HTMLResponse)
async def taxonomy_pickers(
    request: Request, viewer: Viewer = reviewer, area: str = "", category: str = ""
) -> HTMLResponse:
    """htmx: the category (二级) and item (三级) selects for the chosen area and category."""
    categories = form_of.categories_of(area)
    category = category if category in categories else ""
    draft = DecisionDraft(track="", area=area, category=category)
    return page(
        request,
        "reviews/_taxonomy.html",
        viewer,
        draft=draft,
        categories=categories,
        items=form_of.items_of(area, category),
        errors={},
    )


@router.get("/reviews/{review_id}", response_class=HTMLResponse, summary="审核事项")
async def review_item(request: Request, review_id: str, api: Api, viewer: Viewer = reviewer) -> HTMLResponse:
    return await _detail(request, api, viewer, review_id)


@router.post("/reviews/{review_id}/decision", dependencies=[Depends(check_csrf)])
async def decide(request: Request, review_id: str, api: Api, viewer: Viewer = reviewer) -> Response:
    """``action=accept`` takes the proposal as it stands; ``action=correct`` the form's choices."""
    path = _review_path(review_id)
    form = await request.form()
    submitted = DecisionDraft.of_form(form)
    if form.get("action") == "accept":
        review = await api.get("router", path)
        draft = DecisionDraft.of_proposal(review["proposed"]).accepting(submitted.comment)
    else:
        draft = submitted
    errors = draft.errors()
    if errors:
        return await _detail(request, api, viewer, review_id, draft=draft, errors=errors, status_code=422)
    try:
        await api.post("router", f"{path}/decision", json=draft.router_body())
    except ApiProblem as refused:
        if refused.status == 422:
            by_field, general = field_errors(refused.problem)
            return await _detail(
                request, api, viewer, review_id, draft=draft, errors=by_field, general=general, status_code=422
            )
        if refused.status == 409:
            return await _detail(request, api, viewer, review_id, general=[refused.detail], status_code=409)
        raise
    return RedirectResponse(f"/reviews/{review_id}#dispatch", status_code=303)


@router.get("/reviews/{review_id}/dispatch", response_class=HTMLResponse)
async def dispatch_panel(
    request: Request, review_id: str, api: Api, viewer: Viewer = reviewer, n: int = 0
) -> HTMLResponse:
    """htmx, every 2 s while the panel asks: where the re-routed grievance stands now."""
    review: dict[str, Any] = await api.get("router", _review_path(review_id))
    if review["status"] != "decided" or not review.get("decided_at"):
        raise ApiProblem("router", 409, {"title": "尚未决定", "detail": "该审核事项尚未作出决定。"})
    view = await dispatch_view(api, review, polls=max(n, 0))
    return page(request, "reviews/_dispatch.html", viewer, dispatch=view, poll_seconds=POLL_SECONDS)
