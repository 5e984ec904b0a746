"""Re-encryption under a new key on real PostgreSQL: online while grievances keep arriving,
resumable after a stop, every row readable with only the new key afterwards."""

from __future__ import annotations

import asyncio
import base64

import pytest

from services.intake import db
from services.intake.domain.complainant import ComplainantIdentity
from services.intake.handlers.context import IntakeContext
from services.intake.handlers.reencryption import ciphertext_key_counts, reencrypt
from services.intake.handlers.replays import Replay
from services.intake.handlers.submission import SubmitGrievance, submit_grievance
from services.intake.repositories import IntakeUnitOfWork, IntakeUnits
from services.intake.settings import Settings
from shared.events.vocabulary import Channel
from shared.pii import FieldCipher
from shared.runtime import Infrastructure
from tests.support.namespace import Namespace

KEY_A, KEY_B = base64.b64encode(b"\xa1" * 32).decode(), base64.b64encode(b"\xb2" * 32).decode()


def units(infra: Infrastructure) -> IntakeUnits:
    return IntakeUnitOfWork.factory_of(infra.uow)


def context(namespace: Namespace, keys: dict[str, str], active: str) -> IntakeContext:
    settings = namespace.settings(Settings, pii_encryption_keys=keys, pii_encryption_key_id=active)
    return IntakeContext.build(settings)


async def file(infra: Infrastructure, ctx: IntakeContext, n: int, filed: dict[str, str]) -> None:
    """One grievance with every encrypted column filled (identity, free-text original, replay)."""
    mobile = f"139{n:08d}"
    command = SubmitGrievance(
        identity=ComplainantIdentity(name=f"测试{n}", mobile=mobile, id_card=None, anonymous=False, email=f"u{n}@x.cn"),
        channel=Channel.portal,
        title="门口积水",
        content=f"门口积水很久了，我的电话是 {mobile}，请联系我。",
        street="马田街道",
        community=None,
    )
    async with units(infra)() as uow:
        result = await submit_grievance(
            uow=uow, ctx=ctx, command=command, replay=Replay("idempotency", f"key-{n}-{id(ctx)}", f"hash-{n}")
        )
    filed[result.accepted.grievance_id] = mobile


async def key_ids(infra: Infrastructure) -> set[str]:
    counts = await ciphertext_key_counts(units(infra))
    return {key_id for per_column in counts.values() for key_id in per_column}


async def test_rotation_is_online_resumable_and_leaves_everything_readable_under_the_new_key(
    infra: Infrastructure, namespace: Namespace
) -> None:
    old = context(namespace, {"a": KEY_A}, "a")
    rotating = context(namespace, {"a": KEY_A, "b": KEY_B}, "b")
    filed: dict[str, str] = {}
    for n in range(24):
        await file(infra, old, n, filed)
    assert await key_ids(infra) == {"a"}

    # Stopped after its first batch (a crash, Ctrl-C): the rows say how far it got.
    def stop(_line: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await reencrypt(units(infra), rotating.cipher, batch_size=5, progress=stop)
    async with units(infra)() as uow:
        left = await uow.ciphertexts.count_stale("complainant", rotating.cipher.active_header)
    assert 0 < left < 24

    # Resumed while both an old process (key a) and a new one (key b) keep filing.
    async def writers() -> None:
        for n in range(100, 130):
            await file(infra, old if n % 2 else rotating, n, filed)
            await asyncio.sleep(0)

    writing = asyncio.create_task(writers())
    first = await reencrypt(units(infra), rotating.cipher, batch_size=5)
    await writing
    assert sum(first.rotated.values()) > 0
    # The old process's last rows are found by the next run; then nothing is left anywhere.
    second = await reencrypt(units(infra), rotating.cipher, batch_size=5)
    assert second.complete and await key_ids(infra) == {"b"}
    again = await reencrypt(units(infra), rotating.cipher, batch_size=5, dry_run=True)
    assert again.complete and not any(again.rotated.values())

    # The old key can go: every value decrypts with key b alone.
    only_b = FieldCipher({"b": base64.b64decode(KEY_B)}, active="b")
    async with infra.session_factory() as session:
        rows = (await session.execute(db.complainant.select())).all()
        originals = (await session.execute(db.free_text_original.select())).all()
        replies = (await session.execute(db.idempotency_key.select())).all()
    assert {r.grievance_id: only_b.decrypt(r.mobile_encrypted, field="mobile") for r in rows} == filed
    assert all(only_b.decrypt(r.name_encrypted, field="name").startswith("测试") for r in rows)
    assert all(
        filed[o.grievance_id] in only_b.decrypt(o.original_encrypted, field=f"free_text:{o.field}") for o in originals
    )
    assert len(originals) == len(filed)
    assert all(only_b.decrypt(r.response_encrypted, field=f"replay:{r.key}") for r in replies)
    assert len(replies) == len(filed)


async def test_dry_run_counts_and_changes_nothing(infra: Infrastructure, namespace: Namespace) -> None:
    filed: dict[str, str] = {}
    await file(infra, context(namespace, {"b": KEY_B}, "b"), 500, filed)
    to_c = context(namespace, {"b": KEY_B, "c": KEY_A}, "c").cipher
    result = await reencrypt(units(infra), to_c, dry_run=True)
    assert result.remaining["complainant"] >= 1 and not any(result.rotated.values())
    assert await key_ids(infra) == {"b"}
