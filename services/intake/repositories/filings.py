"""Filing a grievance: the record, the sealed identity, the encrypted originals of masked free
text and the filing's outbox rows, numbered and stored in ONE statement (one round trip in the
filing's transaction).

The tracking number's sequence value is drawn in the same statement: the stem (``GM-20261126-``)
comes from the domain and the database appends the zero-padded number, as
domain.grievance.tracking_number does. The events were encoded before the number existed, with the
filing's ``number_marker`` where the number goes; the statement puts the number in its place. A
partner platform's case filed before (same channel and ``external_ref``) is not stored again:
ON CONFLICT answers it instead of a look-up first, and then no outbox row is written either (they
are selected from the inserted grievance). The outbox's statement trigger wakes the relay.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.intake import db
from services.intake.domain.complainant import SealedComplainant
from services.intake.domain.grievance import SEQUENCE_DIGITS
from services.intake.repositories.grievances import NewGrievance
from shared.db.driver import fetchrow_autocommit
from shared.db.outbox import OutboxRow


@dataclass(frozen=True, slots=True)
class NewFiling:
    """Everything one filing stores, computed before its transaction begins."""

    grievance: NewGrievance
    complainant: SealedComplainant
    # Field name -> AES-GCM ciphertext of the text as typed, for fields that masking changed.
    originals: Mapping[str, bytes]
    # Stands for the sequence number in the text of the filing's events until the database draws
    # it: random per filing, so no text a citizen types can contain it.
    number_marker: str


_FILE = text(
    f"""
WITH numbered AS (
    SELECT lpad(CAST(n AS text), greatest(CAST(:sequence_digits AS int), length(CAST(n AS text))), '0')
           AS sequence_no
    FROM (SELECT nextval('{db.tracking_sequence.schema}.{db.tracking_sequence.name}') AS n) AS drawn
), filed AS (
    INSERT INTO {db.grievance.fullname} (
        id, tracking_no, tracking_token_hash, channel, title, content, street, community,
        address_detail, respondent, desired_outcome, attachments, external_ref, registered_by,
        received_at, latitude, longitude, address_id, category_hint
    )
    SELECT CAST(:id AS uuid), CAST(:tracking_no_stem AS text) || numbered.sequence_no, :tracking_token_hash,
           :channel, :title, :content, :street, :community, :address_detail, :respondent,
           :desired_outcome, :attachments, :external_ref, :registered_by, CAST(:received_at AS timestamptz),
           CAST(:latitude AS float8), CAST(:longitude AS float8), :address_id, :category_hint
    FROM numbered
    ON CONFLICT (channel, external_ref) DO NOTHING
    RETURNING id, tracking_no
), sealed AS (
    INSERT INTO {db.complainant.fullname} (
        grievance_id, name_encrypted, mobile_encrypted, id_card_encrypted, email_encrypted,
        name_masked, mobile_masked, id_card_masked, email_masked, mobile_pseudonym,
        id_card_pseudonym, pseudonym_key_id, anonymous
    )
    SELECT filed.id, CAST(:name_encrypted AS bytea), CAST(:mobile_encrypted AS bytea),
           CAST(:id_card_encrypted AS bytea), CAST(:email_encrypted AS bytea), :name_masked,
           :mobile_masked, :id_card_masked, :email_masked, :mobile_pseudonym, :id_card_pseudonym,
           :pseudonym_key_id, CAST(:anonymous AS boolean)
    FROM filed
), originals AS (
    INSERT INTO {db.free_text_original.fullname} (grievance_id, field, original_encrypted)
    SELECT filed.id, original.field, original.ciphertext
    FROM filed,
         unnest(CAST(:original_fields AS text[]), CAST(:original_ciphertexts AS bytea[]))
             AS original(field, ciphertext)
), published AS (
    INSERT INTO {db.outbox.fullname} (topic, key, event_id, event_type, value, headers)
    SELECT event.topic, event.key, event.event_id, event.event_type,
           convert_to(replace(event.value, :number_marker, numbered.sequence_no), 'UTF8'),
           CAST(event.headers AS jsonb)
    FROM filed, numbered,
         unnest(CAST(:event_topics AS text[]), CAST(:event_keys AS text[]), CAST(:event_ids AS text[]),
                CAST(:event_types AS text[]), CAST(:event_values AS text[]), CAST(:event_headers AS text[]))
             WITH ORDINALITY AS event(topic, key, event_id, event_type, value, headers, position)
    -- Outbox ids follow this order, and the relay publishes a key's events in id order.
    ORDER BY event.position
)
SELECT tracking_no FROM filed
"""  # noqa: S608 - only table names from intake's own metadata are formatted in
).bindparams(bindparam("attachments", type_=JSONB))


_GRIEVANCE_FIELDS = tuple(f.name for f in fields(NewGrievance))
_COMPLAINANT_FIELDS = tuple(f.name for f in fields(SealedComplainant))


@lru_cache(maxsize=8)
def _on_the_driver(dialect: Dialect) -> tuple[str, tuple[str, ...]]:
    """``_FILE`` with the driver's ``$n`` parameters, and the names they stand for in order."""
    compiled = _FILE.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup or ())


class FilingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, filing: NewFiling, events: Sequence[OutboxRow], *, alone: bool = False) -> str | None:
        """Store ``filing`` and the outbox rows of its ``events``; its tracking number, or None
        (and nothing stored) when its partner case was filed before.

        ``alone``: the filing is its unit of work's only write, so the statement runs by itself on
        the driver, outside the session's transaction, and is committed when this returns (one
        round trip instead of BEGIN, the statement and COMMIT; shared.db.driver)."""
        values = self._values(filing, events)
        if alone:
            engine = self._session.bind
            assert isinstance(engine, AsyncEngine), "a unit of work's session is bound to its engine"
            statement, names = _on_the_driver(engine.dialect)
            # The one parameter SQLAlchemy would have serialised itself (JSONB).
            values["attachments"] = json.dumps(values["attachments"], ensure_ascii=False)
            row = await fetchrow_autocommit(engine, statement, *(values[name] for name in names))
            return None if row is None else str(row[0])
        tracking_no: str | None = (await self._session.execute(_FILE, values)).scalar()
        return tracking_no

    @staticmethod
    def _values(filing: NewFiling, events: Sequence[OutboxRow]) -> dict[str, Any]:
        values = {name: getattr(filing.grievance, name) for name in _GRIEVANCE_FIELDS}
        values.update({name: getattr(filing.complainant, name) for name in _COMPLAINANT_FIELDS})
        values.update(
            sequence_digits=SEQUENCE_DIGITS,
            original_fields=list(filing.originals),
            original_ciphertexts=list(filing.originals.values()),
            number_marker=filing.number_marker,
            event_topics=[row["topic"] for row in events],
            event_keys=[row["key"] for row in events],
            event_ids=[row["event_id"] for row in events],
            event_types=[row["event_type"] for row in events],
            # As text, for replace(); the payloads are UTF-8 JSON, the database's encoding.
            event_values=[row["value"].decode() for row in events],
            event_headers=[json.dumps(row["headers"], ensure_ascii=False) for row in events],
        )
        return values
