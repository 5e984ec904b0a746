"""Classifications per second of the batch CLI on one core (goal: at least 3,000/s).

    .venv/bin/python bench/router_cli_speed.py [--records 20000]

Feeds corpus texts (cycled, with fresh ids) to ``python -m services.router.cli.classify`` pinned to
CPU 0 with taskset when available, and prints the wall-clock rate including start-up, the CLI's
own rate for the classification loop (model load excluded), and that loop's rate per CPU-second
of the process: on a shared machine the wall clock measures the other processes too, the CPU
time only this one (the goal is per core).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from services.router.training.artifact import ensure_artifact
from services.router.training.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20000)
    args = parser.parse_args()
    ensure_artifact()
    corpus = load_corpus().records
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as handle:
        for i in range(args.records):
            r = corpus[i % len(corpus)]
            handle.write(json.dumps({"id": f"b-{i}", "title": r.title, "text": r.text}, ensure_ascii=False) + "\n")
        path = Path(handle.name)
    command = [sys.executable, "-m", "services.router.cli.classify", "--stats"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    try:
        with path.open(encoding="utf-8") as stdin:
            started = time.perf_counter()
            done = subprocess.run(command, stdin=stdin, capture_output=True, text=True, cwd=ROOT, check=True,
                                  env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})  # fmt: skip
            elapsed = time.perf_counter() - started
    finally:
        path.unlink()
    lines = done.stdout.count("\n")
    stats = re.search(r"\((\d+)/s\)", done.stderr)
    cpu = re.search(r"\((\d+)/CPU-s\)", done.stderr)
    print(f"records: {lines}, one core: {'yes' if command[0] == 'taskset' else 'no (taskset missing)'}")
    print(f"wall clock incl. start-up: {elapsed:.2f}s, {lines / elapsed:.0f} classifications/s")
    print(f"classification loop: {stats.group(1) if stats else '?'} classifications/s")
    print(f"per CPU-second of the CLI process: {cpu.group(1) if cpu else '?'} classifications  ({done.stderr.strip()})")


if __name__ == "__main__":
    main()
