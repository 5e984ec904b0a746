"""Casework's notices (受理告知书, 信访处理意见书 …) through the console: the HTML to preview and the
PDF to download, fetched as the officer (casework checks the department) and passed on with
casework's own Content-Security-Policy, so a document can neither run, load nor be framed."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from services.console.web.deps import Api, require_roles
from services.console.web.service_api import ApiProblem
from services.console.web.viewer import Viewer
from shared.events.vocabulary import Role

router = APIRouter()
officer = require_roles(Role.department_officer)
CASE_ID = re.compile(r"^[0-9a-fA-F-]{36}$")
DOCUMENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
# What a document answer keeps from casework: its type and the headers that lock the HTML down.
PASSED_HEADERS = ("content-type", "content-security-policy", "x-content-type-options")


def _document_path(grievance_id: str, document_id: str) -> str:
    if not CASE_ID.fullmatch(grievance_id) or not DOCUMENT_ID.fullmatch(document_id):
        raise ApiProblem("casework", 404, {"detail": "未找到该文书。"})
    return f"/v1/cases/{grievance_id}/documents/{document_id}"


def download_name(document_id: str, title: str | None, suffix: str) -> str:
    """``attachment`` with an ASCII fallback name and the Chinese title as RFC 5987 filename*."""
    readable = f"{title}{suffix}" if title else f"{document_id}{suffix}"
    return f"attachment; filename=\"{document_id}{suffix}\"; filename*=UTF-8''{quote(readable, safe='')}"


@router.get("/inbox/{grievance_id}/documents/{document_id}", summary="文书预览（HTML）")
async def preview(grievance_id: str, document_id: str, api: Api, _: Viewer = officer) -> Response:
    answer = await api.request("casework", "GET", _document_path(grievance_id, document_id), params={"format": "html"})
    headers = {k: v for k, v in answer.headers.items() if k.lower() in PASSED_HEADERS and k.lower() != "content-type"}
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "text/html; charset=utf-8"),
        headers={**headers, "Cache-Control": "private, no-store"},
    )


@router.get("/inbox/{grievance_id}/documents/{document_id}/pdf", summary="文书下载（PDF）")
async def download(
    grievance_id: str, document_id: str, api: Api, title: str | None = None, _: Viewer = officer
) -> Response:
    answer = await api.request("casework", "GET", _document_path(grievance_id, document_id), params={"format": "pdf"})
    headers = {k: v for k, v in answer.headers.items() if k.lower() in PASSED_HEADERS and k.lower() != "content-type"}
    name = title[:60] if title else None
    return Response(
        answer.content,
        media_type="application/pdf",
        headers={
            **headers,
            "Content-Disposition": download_name(document_id, name, ".pdf"),
            "Cache-Control": "private, no-store",
        },
    )
