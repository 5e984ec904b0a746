"""Documents a case issues are stored with it and reached by citizens at a tokened URL."""

from __future__ import annotations

import uuid
from datetime import datetime

from services.mediation.handlers.context import MediationContext
from services.mediation.repositories import records
from services.mediation.repositories.cases import CaseRecord
from shared.db.uow import UnitOfWork
from shared.events.contracts import DocumentRef


def document_url(ctx: MediationContext, document_id: str) -> str:
    return f"{ctx.settings.document_base_url}/v1/mediation-documents/{document_id}"


async def store_document(
    uow: UnitOfWork,
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
    await records.add_document(
        uow.session,
        {
            "id": document_id,
            "mediation_id": case.id,
            "kind": kind,
            "number": number,
            "title": title,
            "html": html,
            "created_at": now,
        },
    )
    return DocumentRef(kind=kind, title=title, url=document_url(ctx, document_id))
