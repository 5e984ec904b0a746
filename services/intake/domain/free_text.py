"""Free text as filed: masked for the record and the events, the original kept encrypted.

Personal numbers a citizen types into the content, title or address (ID card, mobile, bank card,
e-mail) are masked before anything is stored in plain columns or published (DESIGN §6). When
masking changed a field, its original is kept encrypted so a registrar can still read it through
the audited contact endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.pii_text import mask_free_text

# The free-text fields of a submission, by their name in SubmitGrievance and in the originals table.
FREE_TEXT_FIELDS = ("title", "content", "community", "address_detail", "respondent", "desired_outcome")


def mask_fields(values: Mapping[str, str | None]) -> tuple[dict[str, str | None], dict[str, str]]:
    """The masked values of every field, and the originals of those that masking changed."""
    masked: dict[str, str | None] = {}
    originals: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            masked[name] = None
            continue
        result = mask_free_text(value)
        masked[name] = result.text
        if result.found:
            originals[name] = value
    return masked, originals


def associated_data(field: str) -> str:
    """What binds an original's ciphertext to its field (re-encryption binds it the same way)."""
    return f"free_text:{field}"
