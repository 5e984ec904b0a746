"""Personal-data key rotation commands (docs/operations.md, "Rotating the personal-data keys").

    python -m services.intake.cli.keys status                      # ciphertexts and pseudonyms per key id
    python -m services.intake.cli.keys rotate [--dry-run]          # re-encrypt under INTAKE_PII_ENCRYPTION_KEY_ID
    python -m services.intake.cli.keys rotate-pseudonyms [--dry-run]   # pseudonyms under INTAKE_PII_PSEUDONYM_KEY_ID

Progress goes to stderr, the result as JSON to stdout; the exit status is 1 while rows remain.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from services.intake.app import build_infrastructure
from services.intake.handlers.context import IntakeContext
from services.intake.handlers.pseudonyms import pseudonym_key_counts, rotate_pseudonyms
from services.intake.handlers.reencryption import ciphertext_key_counts, reencrypt
from services.intake.repositories import IntakeUnitOfWork, IntakeUnits
from services.intake.settings import Settings


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def status(units: IntakeUnits, settings: Settings) -> dict[str, Any]:
    return {
        "encryption": {
            "active_key_id": settings.pii_encryption_key_id,
            "ciphertexts": await ciphertext_key_counts(units),
        },
        "pseudonyms": {
            "active_key_id": settings.pii_pseudonym_key_id,
            "complainants": await pseudonym_key_counts(units),
        },
    }


async def rotate(units: IntakeUnits, settings: Settings, *, batch_size: int, dry_run: bool) -> dict[str, Any]:
    result = await reencrypt(units, settings.cipher(), batch_size=batch_size, dry_run=dry_run, progress=_progress)
    return {"key_id": settings.pii_encryption_key_id, "rotated": result.rotated, "remaining": result.remaining}


async def rotate_all_pseudonyms(
    units: IntakeUnits, settings: Settings, *, batch_size: int, dry_run: bool
) -> dict[str, Any]:
    ctx = IntakeContext.build(settings)
    result = await rotate_pseudonyms(units, ctx, batch_size=batch_size, dry_run=dry_run, progress=_progress)
    return {"key_id": settings.pii_pseudonym_key_id, "rotated": result.rotated, "remaining": result.remaining}


async def run(command: str, settings: Settings, *, batch_size: int = 200, dry_run: bool = False) -> dict[str, Any]:
    infra = build_infrastructure(settings)
    units = IntakeUnitOfWork.factory_of(infra.uow)
    try:
        if command == "status":
            return await status(units, settings)
        if command == "rotate":
            return await rotate(units, settings, batch_size=batch_size, dry_run=dry_run)
        return await rotate_all_pseudonyms(units, settings, batch_size=batch_size, dry_run=dry_run)
    finally:
        await infra.close()


def _remaining(result: dict[str, Any]) -> int:
    remaining = result.get("remaining", 0)
    return sum(remaining.values()) if isinstance(remaining, dict) else int(remaining)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.intake.cli.keys", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("status", "rotate", "rotate-pseudonyms"))
    parser.add_argument("--dry-run", action="store_true", help="count the rows still to do, change nothing")
    parser.add_argument("--batch-size", type=int, default=200, help="rows per transaction (default 200)")
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    result = asyncio.run(run(args.command, Settings(), batch_size=args.batch_size, dry_run=args.dry_run))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 1 if args.command != "status" and not args.dry_run and _remaining(result) else 0


if __name__ == "__main__":
    sys.exit(main())
