"""The upkeep use cases behind intake's commands, against in-memory repositories: the retention
purge (``python -m services.intake purge-personal-data``), re-encryption and pseudonym rotation
(``python -m services.intake.cli.keys``)."""

from __future__ import annotations

import base64
from datetime import timedelta

from services.intake.domain.retention import PURGE_ACTION, PURGED_NAME
from services.intake.handlers.context import IntakeContext
from services.intake.handlers.pseudonyms import pseudonym_key_counts, rotate_pseudonyms
from services.intake.handlers.reencryption import ciphertext_key_counts, reencrypt
from services.intake.handlers.replays import Replay
from services.intake.handlers.retention import purge_personal_data
from services.intake.handlers.status import record_status
from services.intake.handlers.submission import SubmitResult, submit_grievance
from shared.clock import ManualClock
from shared.events.contracts import ComplainantPseudonymsRotated, GrievanceStatusChanged
from shared.events.vocabulary import Status
from shared.pii import FieldCipher, pseudonym
from tests.unit.intake.conftest import MOBILE, NOW, data_of, make_context, portal_command
from tests.unit.intake.fakes import FakeUnits, MemoryStore

KEY_A, KEY_B = b"\xa1" * 32, b"\xb2" * 32


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


async def file(units: FakeUnits, ctx: IntakeContext, key: str) -> SubmitResult:
    """A grievance with every kind of ciphertext: identity, a free-text original, a replay answer."""
    async with units() as uow:
        return await submit_grievance(
            uow=uow, ctx=ctx, command=portal_command(), replay=Replay("idempotency", key, f"hash-{key}")
        )


async def conclude(units: FakeUnits, filed: SubmitResult, status: Status, days: int) -> None:
    event = GrievanceStatusChanged(
        grievance_id=filed.accepted.grievance_id,
        tracking_no=filed.accepted.tracking_no,
        status=status,
        stage="casework",
        message_zh="已办结",
        actor="光明区信访局",
        occurred_at=NOW + timedelta(days=days),
    )
    async with units() as uow:
        await record_status(uow=uow, status=event)
        await uow.commit()


async def test_the_purge_anonymises_only_cases_concluded_longer_ago_than_the_period_and_audits_each(
    units: FakeUnits, ctx: IntakeContext, store: MemoryStore
) -> None:
    old, recent, still_open = [await file(units, ctx, f"k{n}") for n in range(3)]
    await conclude(units, old, Status.closed, days=1)
    await conclude(units, recent, Status.not_accepted, days=1000)
    await conclude(units, still_open, Status.accepted, days=1)
    settings = make_context(personal_data_retention_days=1095, retention_batch_size=1).settings
    later = ManualClock(NOW + timedelta(days=1097))

    dry = await purge_personal_data(uow_factory=units, settings=settings, clock=later, dry_run=True)
    assert dry is not None and (dry.purged, dry.dry_run) == (1, True)
    assert store.complainants[old.accepted.grievance_id].mobile_encrypted is not None, "a dry run changed data"

    report = await purge_personal_data(uow_factory=units, settings=settings, clock=later)
    assert report is not None and report.purged == 1 and report.cutoff == later.now() - timedelta(days=1095)
    purged = store.complainants[old.accepted.grievance_id]
    assert purged.name_masked == PURGED_NAME and purged.mobile_encrypted is None and purged.mobile_pseudonym is None
    assert old.accepted.grievance_id not in store.originals and f"k{0}" not in store.keys
    for kept in (recent, still_open):
        assert store.complainants[kept.accepted.grievance_id].mobile_encrypted is not None
    assert [(row["action"], row["grievance_id"], row["detail"]["concluded_status"]) for row in store.audit] == [
        (PURGE_ACTION, old.accepted.grievance_id, "closed")
    ]

    again = await purge_personal_data(uow_factory=units, settings=settings, clock=later)
    assert again is not None and again.purged == 0 and len(store.audit) == 1
    off = make_context(personal_data_retention_days=0).settings
    assert await purge_personal_data(uow_factory=units, settings=off, clock=later) is None


async def test_reencryption_brings_every_ciphertext_under_the_new_key_and_leaves_it_readable(
    units: FakeUnits, store: MemoryStore
) -> None:
    old = make_context(pii_encryption_keys={"a": b64(KEY_A)}, pii_encryption_key_id="a")
    filed = [await file(units, old, f"k{n}") for n in range(5)]
    assert {key_id for counts in (await ciphertext_key_counts(units)).values() for key_id in counts} == {"a"}

    rotating = make_context(pii_encryption_keys={"a": b64(KEY_A), "b": b64(KEY_B)}, pii_encryption_key_id="b")
    progress: list[str] = []
    result = await reencrypt(units, rotating.cipher, batch_size=2, progress=progress.append)
    assert result.complete and result.rotated == {
        "complainant": 5,
        "free_text_original": 5,
        "idempotency_key": 5,
        "webhook_receipt": 0,
    }
    assert progress[0] == "complainant: 2 rows re-encrypted under key b"
    assert {key_id for counts in (await ciphertext_key_counts(units)).values() for key_id in counts} == {"b"}

    only_b = FieldCipher({"b": KEY_B}, active="b")
    for one in filed:
        sealed = store.complainants[one.accepted.grievance_id]
        assert only_b.decrypt(sealed.mobile_encrypted or b"", field="mobile") == MOBILE
    again = await reencrypt(units, rotating.cipher, dry_run=True)
    assert again.complete and not any(again.rotated.values())


async def test_pseudonym_rotation_recomputes_the_stored_pseudonyms_and_tells_the_router(
    units: FakeUnits, store: MemoryStore
) -> None:
    before = make_context(pii_pseudonym_keys={"1": b64(KEY_A)}, pii_pseudonym_key_id="1")
    filed = await file(units, before, "k")
    during = make_context(pii_pseudonym_keys={"1": b64(KEY_A), "2": b64(KEY_B)}, pii_pseudonym_key_id="2")
    assert await pseudonym_key_counts(units) == {"1": 1}

    dry = await rotate_pseudonyms(units, during, dry_run=True)
    assert (dry.rotated, dry.remaining) == (0, 1)
    result = await rotate_pseudonyms(units, during, batch_size=1)
    assert (result.rotated, result.remaining) == (1, 0)
    assert await pseudonym_key_counts(units) == {"2": 1}
    sealed = store.complainants[filed.accepted.grievance_id]
    assert sealed.mobile_pseudonym == pseudonym(KEY_B, "mobile", MOBILE)

    rotated = [e for uow in units.made for _, e in uow.events if e.type == ComplainantPseudonymsRotated.event_type]
    [event] = rotated
    told = ComplainantPseudonymsRotated.model_validate(data_of(event))
    assert event.subject == filed.accepted.grievance_id
    assert (told.key_id, told.previous_key_id) == ("2", "1")
    assert told.previous_phone_pseudonym == pseudonym(KEY_A, "mobile", MOBILE)
    assert (await rotate_pseudonyms(units, during)).rotated == 0
