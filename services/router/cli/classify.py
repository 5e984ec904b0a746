"""Batch classification without Kafka or a database:

    python -m services.router.cli.classify < in.jsonl > out.jsonl

Each input line ``{"id", "title", "text"}`` (optionally ``"street"``); each output line
``{"id", "track", "petition_kind", "area", "category", "category_probability", "item",
"departments": {"lead", "co"}, "urgent", "confidence", "model_version", "reasons"}``. Lines are
read and classified in batches (the features are computed once per batch). A line that is not
valid input is reported on stderr and skipped; the exit status is then 1. Stdout carries only the
JSON lines, also on a first run that trains the model (training reports on stderr).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from services.router.classifier import Classification, Classifier, GrievanceText
from services.router.training.artifact import ensure_artifact

BATCH = 1000
# One encoder for every line: json.dumps with options builds a new encoder per call.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def output(record_id: Any, result: Classification) -> dict[str, Any]:
    return {
        "id": record_id,
        "track": result.track.value,
        "petition_kind": result.petition_kind.value if result.petition_kind else None,
        "area": result.area.value,
        "category": result.category,
        "category_probability": result.category_probability,
        "item": result.item,
        "departments": {"lead": result.departments.lead, "co": list(result.departments.co)},
        "urgent": result.urgent,
        "confidence": result.confidence,
        "model_version": result.model_version,
        "reasons": [e.as_dict() for e in result.reasons],
    }


def parse(line: str) -> tuple[Any, GrievanceText]:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    title, text = data.get("title") or "", data.get("text")
    if not isinstance(text, str) or not text.strip() or not isinstance(title, str):
        raise ValueError('"text" must be a non-empty string and "title" a string')
    street = data.get("street")
    return data.get("id"), GrievanceText(title, text, street if isinstance(street, str) else None)


def batches(stream: TextIO, errors: TextIO) -> Iterator[tuple[list[Any], list[GrievanceText], int]]:
    ids: list[Any] = []
    items: list[GrievanceText] = []
    bad = 0
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record_id, item = parse(line)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            print(f"line {lineno}: {exc}", file=errors)
            bad += 1
            continue
        ids.append(record_id)
        items.append(item)
        if len(items) == BATCH:
            yield ids, items, bad
            ids, items, bad = [], [], 0
    yield ids, items, bad


def run(stream: TextIO, out: TextIO, errors: TextIO, classifier: Classifier) -> tuple[int, int]:
    written = invalid = 0
    for ids, items, bad in batches(stream, errors):
        invalid += bad
        results = classifier.classify_many(items)
        out.write("".join(_ENCODE(output(i, r)) + "\n" for i, r in zip(ids, results, strict=True)))
        written += len(results)
    return written, invalid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.router.cli.classify",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", type=Path, default=None, help="trained artifact (default: the packaged one)")
    parser.add_argument("--stats", action="store_true", help="print records per second on stderr")
    args = parser.parse_args(argv)
    # Whatever a library reports while the model loads or trains goes to stderr, never into the JSONL.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    loaded = time.perf_counter()
    classifier = Classifier.load(ensure_artifact(args.model))
    started, cpu_started = time.perf_counter(), time.process_time()
    written, invalid = run(sys.stdin, sys.stdout, sys.stderr, classifier)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if args.stats:
        rate = written / elapsed if elapsed > 0 else 0.0
        # CPU seconds of this process: the rate per core, whatever else the machine is running
        cpu_rate = written / cpu if cpu > 0 else 0.0
        print(
            f"classified {written} in {elapsed:.2f}s ({rate:.0f}/s), {cpu:.2f} CPU-s ({cpu_rate:.0f}/CPU-s), "
            f"model load {started - loaded:.2f}s",
            file=sys.stderr,
        )
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
