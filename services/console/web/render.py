"""Pages are Jinja2 templates (./templates) extending base.html; every page gets the viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.console.reports.labels import CHANNELS
from services.console.web.viewer import Viewer
from shared.catalog import load_catalog

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES)

ROLE_LABELS = {
    "registrar": "登记员",
    "reviewer": "分流审核员",
    "department_officer": "承办部门",
    "mediator": "调解员",
    "supervisor": "督查",
    "admin": "管理员",
}


def department_name(code: str | None) -> str:
    if not code:
        return ""
    catalog = load_catalog()
    return catalog.name_of(code) if code in catalog.departments else code


templates.env.globals.update(role_labels=ROLE_LABELS)
templates.env.filters["department_name"] = department_name
templates.env.filters["channel_name"] = lambda code: CHANNELS.get(code, code)


def page(
    request: Request, template: str, viewer: Viewer | None, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"viewer": viewer, **context}, status_code=status_code)
