"""The grievance record: what filing it takes (stored by repositories.filings), the record as filed,
its sealed contact, staff look-ups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db

_G, _C, _S = db.grievance, db.complainant, db.grievance_status


@dataclass(frozen=True, slots=True)
class NewGrievance:
    """A grievance to file, its free text already masked; the database completes its tracking
    number from ``tracking_no_stem`` as it stores it (repositories.filings)."""

    id: str
    tracking_no_stem: str
    tracking_token_hash: str
    channel: str
    title: str
    content: str
    street: str | None
    community: str | None
    address_detail: str | None
    respondent: str | None
    desired_outcome: str | None
    attachments: list[str]
    external_ref: str | None
    registered_by: str | None
    received_at: datetime
    latitude: float | None
    longitude: float | None
    address_id: str | None
    category_hint: str | None


@dataclass(frozen=True, slots=True)
class FiledRecord:
    """The grievance as filed with the complainant's masked forms (no ciphertext)."""

    id: str
    tracking_no: str
    tracking_token_hash: str
    channel: str
    received_at: datetime
    title: str
    content: str
    street: str | None
    community: str | None
    address_detail: str | None
    respondent: str | None
    desired_outcome: str | None
    attachments: list[str]
    name_masked: str
    mobile_masked: str | None
    id_card_masked: str | None
    email_masked: str | None
    anonymous: bool


@dataclass(frozen=True, slots=True)
class SealedContact:
    """The complainant's encrypted contact data; ``purged_at`` once retention anonymised it."""

    grievance_id: str
    name_encrypted: bytes | None
    mobile_encrypted: bytes | None
    id_card_encrypted: bytes | None
    email_encrypted: bytes | None
    purged_at: datetime | None


@dataclass(frozen=True, slots=True)
class EarlierFiling:
    """A grievance found by the complainant's pseudonyms, with where it stands (None: not known yet)."""

    tracking_no: str
    received_at: datetime
    channel: str
    title: str
    street: str | None
    community: str | None
    status: str | None
    message_zh: str | None
    closed: bool
    id_card_pseudonym: str | None
    mobile_pseudonym: str | None


@dataclass(frozen=True, slots=True)
class Standing:
    """The status read model's row of a grievance; every field None until the first status."""

    tracking_no: str
    status: str | None
    message_zh: str | None
    actor: str | None
    closed: bool
    due_at: datetime | None
    updated_at: datetime | None


def _columns(model: type[Any], *tables: Any) -> list[Any]:
    """The columns named like ``model``'s fields, taken from the first table that has each."""
    return [next(t.c[f.name] for t in tables if f.name in t.c) for f in fields(model)]


class GrievanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def tracking_no_of_external_case(self, channel: str, external_ref: str) -> str | None:
        """The tracking number a partner platform's case already got, if it was filed before."""
        found: str | None = await self._session.scalar(
            select(_G.c.tracking_no).where(_G.c.channel == channel, _G.c.external_ref == external_ref)
        )
        return found

    async def filed(self, tracking_no: str) -> FiledRecord | None:
        query = (
            select(*_columns(FiledRecord, _G, _C))
            .join_from(_G, _C, _C.c.grievance_id == _G.c.id)
            .where(_G.c.tracking_no == tracking_no)
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else FiledRecord(**{**row._mapping, "attachments": list(row.attachments)})

    async def sealed_contact(self, tracking_no: str) -> SealedContact | None:
        query = (
            select(*_columns(SealedContact, _C))
            .join_from(_G, _C, _C.c.grievance_id == _G.c.id)
            .where(_G.c.tracking_no == tracking_no)
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else SealedContact(**row._mapping)

    async def count_by_pseudonyms(self, *, id_card: Sequence[str], mobile: Sequence[str]) -> int:
        """How many grievances a complainant with any of these pseudonyms filed."""
        query = select(func.count()).select_from(_G.join(_C, _C.c.grievance_id == _G.c.id))
        return int(await self._session.scalar(query.where(_matching(id_card, mobile))) or 0)

    async def by_pseudonyms(self, *, id_card: Sequence[str], mobile: Sequence[str], limit: int) -> list[EarlierFiling]:
        """The grievances of a complainant with any of these pseudonyms, newest first."""
        joined = _G.join(_C, _C.c.grievance_id == _G.c.id).outerjoin(_S, _S.c.grievance_id == _G.c.id)
        query = (
            select(*_columns(EarlierFiling, _G, _S, _C))
            .select_from(joined)
            .where(_matching(id_card, mobile))
            .order_by(_G.c.received_at.desc(), _G.c.tracking_no.desc())
            .limit(limit)
        )
        rows = (await self._session.execute(query)).all()
        return [EarlierFiling(**{**row._mapping, "closed": bool(row.closed)}) for row in rows]

    async def standing(self, tracking_no: str) -> Standing | None:
        """Where the grievance stands in the status read model; None for an unknown number."""
        query = (
            select(*_columns(Standing, _G, _S))
            .select_from(_G.outerjoin(_S, _S.c.grievance_id == _G.c.id))
            .where(_G.c.tracking_no == tracking_no)
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else Standing(**{**row._mapping, "closed": bool(row.closed)})


def _matching(id_card: Sequence[str], mobile: Sequence[str]) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if id_card:
        conditions.append(_C.c.id_card_pseudonym.in_(id_card))
    if mobile:
        conditions.append(_C.c.mobile_pseudonym.in_(mobile))
    return or_(*conditions)
