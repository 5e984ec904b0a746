"""Filing a grievance: the record, the sealed identity and the encrypted originals of masked free
text, numbered and stored in ONE statement (one round trip in the filing's transaction).

The tracking number's sequence value is drawn in the same statement: the stem (``GM-20261126-``)
comes from the domain and the database appends the zero-padded number, as
domain.grievance.tracking_number does. A partner platform's case filed before (same channel and
``external_ref``) is not stored again: ON CONFLICT answers it instead of a look-up first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db
from services.intake.domain.complainant import SealedComplainant
from services.intake.domain.grievance import SEQUENCE_DIGITS
from services.intake.repositories.grievances import NewGrievance


@dataclass(frozen=True, slots=True)
class NewFiling:
    """Everything one filing stores, computed before its transaction begins."""

    grievance: NewGrievance
    complainant: SealedComplainant
    # Field name -> AES-GCM ciphertext of the text as typed, for fields that masking changed.
    originals: Mapping[str, bytes]


_FILE = text(
    f"""
WITH numbered AS (
    SELECT CAST(:tracking_no_stem AS text)
           || lpad(CAST(n AS text), greatest(CAST(:sequence_digits AS int), length(CAST(n AS text))), '0')
           AS tracking_no
    FROM (SELECT nextval('{db.tracking_sequence.schema}.{db.tracking_sequence.name}') AS n) AS drawn
), filed AS (
    INSERT INTO {db.grievance.fullname} (
        id, tracking_no, tracking_token_hash, channel, title, content, street, community,
        address_detail, respondent, desired_outcome, attachments, external_ref, registered_by,
        received_at, latitude, longitude, address_id, category_hint
    )
    SELECT CAST(:id AS uuid), numbered.tracking_no, :tracking_token_hash, :channel, :title, :content,
           :street, :community, :address_detail, :respondent, :desired_outcome, :attachments,
           :external_ref, :registered_by, CAST(:received_at AS timestamptz),
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
)
SELECT tracking_no FROM filed
"""  # noqa: S608 - only table names from intake's own metadata are formatted in
).bindparams(bindparam("attachments", type_=JSONB))


_GRIEVANCE_FIELDS = tuple(f.name for f in fields(NewGrievance))
_COMPLAINANT_FIELDS = tuple(f.name for f in fields(SealedComplainant))


class FilingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, filing: NewFiling) -> str | None:
        """Store ``filing``; its tracking number, or None when its partner case was filed before."""
        values = {name: getattr(filing.grievance, name) for name in _GRIEVANCE_FIELDS}
        values.update({name: getattr(filing.complainant, name) for name in _COMPLAINANT_FIELDS})
        values.update(
            sequence_digits=SEQUENCE_DIGITS,
            original_fields=list(filing.originals),
            original_ciphertexts=list(filing.originals.values()),
        )
        tracking_no: str | None = (await self._session.execute(_FILE, values)).scalar()
        return tracking_no
