"""The registrar's pages: register a walk-in (来访), hotline (来电) or letter (来信) grievance
through intake's staff API, with the ID-card and mobile checks as one types, the earlier grievances
of the same person before saving, and a printable receipt (回执) afterwards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from services.console.reports.labels import CHANNELS
from services.console.web.deps import Api, check_csrf, require_roles
from services.console.web.pages.registrar_checks import check_id_card, check_mobile
from services.console.web.pages.registrar_form import CHANNELS as STAFF_CHANNELS
from services.console.web.pages.registrar_form import RegistrationDraft, field_errors
from services.console.web.pages.registrar_receipt import Receipt
from services.console.web.render import page
from services.console.web.service_api import ApiProblem
from services.console.web.viewer import Viewer
from shared.catalog import load_catalog
from shared.events.vocabulary import Role, Street

router = APIRouter()
registrar = require_roles(Role.registrar)
csrf = [Depends(check_csrf)]


def _communities(street: str) -> dict[str, tuple[str, ...]]:
    """The communities to offer: the chosen street's, or every street's (grouped) before one is chosen."""
    streets = {s.value: info.communities for s, info in load_catalog().streets.items()}
    return {street: streets[street]} if street in streets else streets


def _form(
    request: Request,
    viewer: Viewer,
    draft: RegistrationDraft,
    *,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    repeats: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "registrar/form.html",
        viewer,
        status_code=status_code,
        draft=draft,
        errors=errors or {},
        general=general or [],
        repeats=repeats,
        checked=repeats is not None,
        channels=STAFF_CHANNELS,
        streets=[s.value for s in Street],
        communities=_communities(draft.street),
        id_card_check=check_id_card(draft.id_card) if draft.id_card else None,
        mobile_check=check_mobile(draft.mobile) if draft.mobile else None,
    )


@router.get("/registrar", response_class=HTMLResponse, summary="登记")
async def registration_form(request: Request, viewer: Viewer = registrar) -> HTMLResponse:
    return _form(request, viewer, RegistrationDraft())


@router.post("/registrar/check/id-card", response_class=HTMLResponse, dependencies=csrf)
async def id_card_as_typed(request: Request, viewer: Viewer = registrar) -> HTMLResponse:
    """htmx, as the registrar types: the verdict on the ID number, as a fragment next to the field."""
    form = await request.form()
    value = form.get("id_card")
    check = check_id_card(value if isinstance(value, str) else "")
    return page(request, "registrar/_check.html", viewer, check=check)


@router.post("/registrar/check/mobile", response_class=HTMLResponse, dependencies=csrf)
async def mobile_as_typed(request: Request, viewer: Viewer = registrar) -> HTMLResponse:
    form = await request.form()
    value = form.get("mobile")
    check = check_mobile(value if isinstance(value, str) else "")
    return page(request, "registrar/_check.html", viewer, check=check)


@router.get("/registrar/communities", response_class=HTMLResponse)
async def community_picker(request: Request, street: str = "", viewer: Viewer = registrar) -> HTMLResponse:
    """htmx: the community select for the chosen street (the full form works without it)."""
    return page(request, "registrar/_community.html", viewer, communities=_communities(street), selected="", errors={})


@router.post("/registrar", response_class=HTMLResponse, dependencies=csrf)
async def register(request: Request, api: Api, viewer: Viewer = registrar) -> HTMLResponse:
    """``step=check`` shows the person's earlier grievances; ``step=save`` registers and prints."""
    form = await request.form()
    draft = RegistrationDraft.from_form(form)
    errors = draft.errors()
    if errors:
        return _form(request, viewer, draft, errors=errors, status_code=422)
    if form.get("step") != "save":
        return _form(request, viewer, draft, repeats=await _earlier_grievances(api, draft))
    try:
        response = await api.request(
            "intake",
            "POST",
            "/v1/staff/grievances",
            json=draft.intake_body(),
            headers={"Idempotency-Key": f"console-{draft.idempotency_key}"},
        )
    except ApiProblem as refused:
        if refused.status != 422:
            raise
        by_field, general = field_errors(refused.problem)
        return _form(request, viewer, draft, errors=by_field, general=general, status_code=422)
    accepted = response.json()
    receipt = Receipt.of_registration(draft, accepted)
    return _receipt(request, viewer, receipt)


async def _earlier_grievances(api: Api, draft: RegistrationDraft) -> dict[str, Any]:
    """intake's look-up by ID and/or mobile (by keyed hash there); nothing to look for: say so."""
    if not draft.has_identifier:
        return {"searched": False, "grievances": [], "total": 0}
    found = await api.post("intake", "/v1/staff/complainant-grievances", json=draft.lookup_body())
    for earlier in found["grievances"]:
        earlier["received_at"] = datetime.fromisoformat(earlier["received_at"])
        earlier["channel_zh"] = CHANNELS.get(earlier["channel"], earlier["channel"])
    return {"searched": True, **found}


def _receipt(request: Request, viewer: Viewer, receipt: Receipt) -> HTMLResponse:
    portal_url = request.app.state.settings.portal_url()
    return page(request, "registrar/receipt.html", viewer, receipt=receipt, portal_url=portal_url)


@router.get("/registrar/receipts/{tracking_no}", response_class=HTMLResponse, summary="补打回执")
async def reprint_receipt(request: Request, tracking_no: str, api: Api, viewer: Viewer = registrar) -> HTMLResponse:
    """A receipt printed again from intake's record; the tracking token was shown once and is not."""
    if not Receipt.plausible_tracking_no(tracking_no):
        raise ApiProblem("intake", 404, {"title": "未找到", "detail": "未找到该编号的诉求。"})
    record = await api.get("intake", f"/v1/staff/grievances/{tracking_no}")
    return _receipt(request, viewer, Receipt.of_record(record))
