"""The mediation service's documents (调解协议书, 调解终止告知书) through the console, fetched as the
mediator (the service checks the case is theirs) with the service's Content-Security-Policy kept.
The service issues HTML only (print to PDF from the browser), so the download is that HTML."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from services.console.web.deps import Api, require_roles
from services.console.web.pages.inbox_documents import PASSED_HEADERS, download_name
from services.console.web.service_api import ApiProblem
from services.console.web.viewer import Viewer
from shared.events.vocabulary import Role

router = APIRouter()
mediator = require_roles(Role.mediator)


async def _fetch(api: Api, document_id: str) -> tuple[bytes, dict[str, str]]:
    try:
        path = f"/v1/staff/mediation-documents/{uuid.UUID(document_id)}"
    except ValueError:
        raise ApiProblem("mediation", 404, {"detail": "未找到该文书。"}) from None
    answer = await api.request("mediation", "GET", path)
    kept = {k: v for k, v in answer.headers.items() if k.lower() in PASSED_HEADERS and k.lower() != "content-type"}
    return answer.content, {**kept, "Cache-Control": "private, no-store"}


@router.get("/mediation/documents/{document_id}", summary="调解文书预览")
async def preview(document_id: str, api: Api, _: Viewer = mediator) -> Response:
    content, headers = await _fetch(api, document_id)
    return Response(content, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/mediation/documents/{document_id}/download", summary="调解文书下载")
async def download(document_id: str, api: Api, title: str | None = None, _: Viewer = mediator) -> Response:
    content, headers = await _fetch(api, document_id)
    disposition = download_name(str(uuid.UUID(document_id)), title[:60] if title else None, ".html")
    return Response(
        content, media_type="text/html; charset=utf-8", headers={**headers, "Content-Disposition": disposition}
    )
