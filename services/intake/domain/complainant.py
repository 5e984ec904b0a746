"""The complainant's identity: raw only inside intake, sealed for storage, masked for everyone else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.events.contracts import ComplainantView
from shared.pii import (
    FieldCipher,
    mask_email,
    mask_id_card,
    mask_mobile,
    mask_name,
    normalise_id_card,
    normalise_mobile,
    pseudonym,
)

ANONYMOUS_NAME = "匿名"


@dataclass(frozen=True, slots=True)
class ComplainantIdentity:
    """Raw identifiers as filed; exists only inside intake.

    ``name`` and ``mobile`` are None when the filer gave none (Open311 makes every contact field
    optional): such a complainant has no call-back number, only the ``email`` if one was given.
    """

    name: str | None
    mobile: str | None
    id_card: str | None
    anonymous: bool
    email: str | None = None

    def normalised(self) -> ComplainantIdentity:
        return ComplainantIdentity(
            name=self.name.strip() if self.name else None,
            mobile=normalise_mobile(self.mobile) if self.mobile else None,
            id_card=normalise_id_card(self.id_card) if self.id_card else None,
            anonymous=self.anonymous,
            email=self.email.strip() if self.email else None,
        )

    def view(self, pseudonym_key: bytes) -> ComplainantView:
        """What leaves intake: masked forms (none at all when anonymous) and keyed pseudonyms.

        Pseudonyms are kept for anonymous complainants too: repeat matching needs them and they
        reveal nothing without intake's key.
        """
        me = self.normalised()
        return ComplainantView(
            name_masked=ANONYMOUS_NAME if (me.anonymous or not me.name) else mask_name(me.name),
            phone_masked=None if (me.anonymous or not me.mobile) else mask_mobile(me.mobile),
            id_card_masked=None if (me.anonymous or not me.id_card) else mask_id_card(me.id_card),
            phone_pseudonym=pseudonym(pseudonym_key, "mobile", me.mobile) if me.mobile else None,
            id_card_pseudonym=pseudonym(pseudonym_key, "id_card", me.id_card) if me.id_card else None,
            anonymous=me.anonymous,
        )


@dataclass(frozen=True, slots=True)
class SealedComplainant:
    """The identity as stored: AES-GCM ciphertexts (the key is not in the database), masked forms
    for staff screens and the pseudonyms repeats are matched on, with the id of their key."""

    name_encrypted: bytes | None
    mobile_encrypted: bytes | None
    id_card_encrypted: bytes | None
    email_encrypted: bytes | None
    name_masked: str
    mobile_masked: str | None
    id_card_masked: str | None
    email_masked: str | None
    mobile_pseudonym: str | None
    id_card_pseudonym: str | None
    pseudonym_key_id: str
    anonymous: bool


def seal(
    identity: ComplainantIdentity, view: ComplainantView, cipher: FieldCipher, pseudonym_key_id: str
) -> SealedComplainant:
    """``identity`` (normalised) encrypted field by field, with the pseudonyms of its ``view``."""

    def encrypted(value: str | None, field: str) -> bytes | None:
        return cipher.encrypt(value, field=field) if value else None

    return SealedComplainant(
        name_encrypted=encrypted(identity.name, "name"),
        mobile_encrypted=encrypted(identity.mobile, "mobile"),
        id_card_encrypted=encrypted(identity.id_card, "id_card"),
        email_encrypted=encrypted(identity.email, "email"),
        # Staff screens show masked values even for anonymous filings; the events do not.
        name_masked=mask_name(identity.name) if identity.name else ANONYMOUS_NAME,
        mobile_masked=mask_mobile(identity.mobile) if identity.mobile else None,
        id_card_masked=mask_id_card(identity.id_card) if identity.id_card else None,
        email_masked=mask_email(identity.email) if identity.email else None,
        mobile_pseudonym=view.phone_pseudonym,
        id_card_pseudonym=view.id_card_pseudonym,
        pseudonym_key_id=pseudonym_key_id,
        anonymous=identity.anonymous,
    )


def with_previous_pseudonyms(
    identity: ComplainantIdentity, view: ComplainantView, previous_keys: Sequence[bytes]
) -> ComplainantView:
    """During a pseudonym-key rotation, the pseudonyms under the keys being retired as well: the
    router matches them against grievances it has not yet seen rotated (docs/operations.md)."""
    if not previous_keys:
        return view
    me = identity.normalised()
    return view.model_copy(
        update={
            "previous_phone_pseudonyms": [pseudonym(key, "mobile", me.mobile) for key in previous_keys]
            if me.mobile
            else [],
            "previous_id_card_pseudonyms": [pseudonym(key, "id_card", me.id_card) for key in previous_keys]
            if me.id_card
            else [],
        }
    )
