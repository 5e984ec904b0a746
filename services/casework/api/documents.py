"""Issued notices: the department's copy (staff token) and the citizen's (tracking token)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from services.casework.api.deps import CaseReader, Ctx, Uow
from services.casework.api.problems import problems
from services.casework.domain.access import may_read_documents
from services.casework.handlers import queries
from services.casework.handlers.actions import documents_of, find_case
from services.casework.handlers.queries import DocumentFile
from services.casework.schemas.cases import DocumentRead
from shared.problems import problem_responses
from shared.web import DOCUMENT_HEADERS, document_html, rate_limit

router = APIRouter(tags=["documents"])
Format = Literal["pdf", "html"]
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}, "text/html": {}}},
    **problem_responses(401, 403, 404),
}


def _file(document: DocumentFile, fmt: Format) -> Response:
    if fmt == "html":
        return document_html(document.html)
    assert document.pdf is not None  # asked for with the format
    # The number is ASCII-safe apart from Chinese brackets: name the file by the tracking part.
    filename = "".join(ch for ch in document.doc_no if ch.isascii() and (ch.isalnum() or ch in "-_")) or "notice"
    return Response(
        document.pdf,
        media_type="application/pdf",
        headers={**DOCUMENT_HEADERS, "Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )


@router.get(
    "/v1/cases/{grievance_id}/documents",
    response_model=list[DocumentRead],
    responses=problem_responses(401, 403, 404),
    summary="Notices issued on a case",
)
async def list_documents(
    grievance_id: str,
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
) -> list[DocumentRead]:
    async with uow:
        with problems():
            case, who = await find_case(uow, ctx, staff, grievance_id, action="list_documents")
            return await documents_of(uow, ctx, grievance_id) if may_read_documents(case, who) else []


@router.get(
    "/v1/cases/{grievance_id}/documents/{document_id}",
    responses=FILE_RESPONSES,
    response_class=Response,
    summary="A notice as issued, PDF or HTML (department copy)",
)
async def staff_document(
    grievance_id: str,
    document_id: str,
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
    format: Format = Query(default="pdf"),
) -> Response:
    async with uow:
        with problems():
            document = await queries.staff_document(
                uow=uow,
                ctx=ctx,
                staff=staff,
                grievance_id=grievance_id,
                document_id=document_id,
                with_pdf=format == "pdf",
            )
    return _file(document, format)


@router.get(
    "/v1/public/documents/{document_id}",
    responses=FILE_RESPONSES,
    response_class=Response,
    summary="A notice as issued, PDF or HTML (citizen, with the tracking token)",
    dependencies=[rate_limit("documents")],
)
async def citizen_document(
    document_id: str,
    ctx: Ctx,
    uow: Uow,
    format: Format = Query(default="pdf"),
    x_tracking_token: Annotated[str | None, Header(alias="X-Tracking-Token")] = None,
    token: Annotated[str | None, Query(description="the tracking token, if a header cannot be set")] = None,
) -> Response:
    async with uow:
        with problems():
            document = await queries.citizen_document(
                uow=uow, ctx=ctx, document_id=document_id, token=x_tracking_token or token, with_pdf=format == "pdf"
            )
    return _file(document, format)
