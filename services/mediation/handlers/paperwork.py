"""Documents a case issues are stored with it; staff who may see the case read them, and citizens
at a URL opened by their tracking token."""

from __future__ import annotations

import uuid
from datetime import datetime

from services.mediation.handlers.access import may_see, not_found, viewer_for
from services.mediation.handlers.context import MediationContext
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.cases import CaseRecord
from services.mediation.repositories.documents import StoredDocument
from shared.auth import StaffPrincipal
from shared.events.contracts import DocumentRef
from shared.pii import tokens_match
from shared.problems import Problem


def document_url(ctx: MediationContext, document_id: str) -> str:
    return f"{ctx.settings.document_base_url}/v1/mediation-documents/{document_id}"


async def store_document(
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    case: CaseRecord,
    *,
    kind: str,
    title: str,
    html: str,
    now: datetime,
    number: str | None = None,
) -> DocumentRef:
    document_id = str(uuid.uuid4())
    await uow.documents.add(
        StoredDocument(
            id=document_id, mediation_id=case.id, kind=kind, number=number, title=title, html=html, created_at=now
        )
    )
    return DocumentRef(kind=kind, title=title, url=document_url(ctx, document_id))


async def staff_document(*, uow: MediationUnitOfWork, staff: StaffPrincipal, document_id: str) -> str:
    """A document of a case the caller may see; any other answers like a missing one."""
    document = await uow.documents.get(document_id)
    viewer = await viewer_for(uow, staff)
    if document is None or not await may_see(uow, viewer, document.mediation_id):
        raise not_found()
    return document.html


async def citizen_document(*, uow: MediationUnitOfWork, document_id: str, token: str | None) -> str:
    """A citizen's own document, with the tracking token; one answer for every kind of miss."""
    document = await uow.documents.get(document_id)
    token_hash = await uow.cases.token_hash(document.mediation_id) if document is not None else None
    if document is None or not token or not token_hash or not tokens_match(token, token_hash):
        raise Problem(404, slug="document-not-found", detail="未找到该文书，或查询码不正确。")
    return document.html
