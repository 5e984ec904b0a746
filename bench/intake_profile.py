"""Where intake's time per accepted grievance goes: py-spy samples the intake API process while
wrk loads it (as bench/intake_load.py does), then prints the CPU it used per accepted grievance and
the top functions and libraries by self time.

    .venv/bin/python bench/intake_profile.py [--seconds 20] [--connections 32] [--rate 200] [--native]
        [--out bench/out/intake-profile.txt]

The raw profile (collapsed stacks) is kept at ``--out``: https://www.speedscope.app opens it as is,
and so does flamegraph.pl. Sampling costs the machine CPU too, so under the profiler intake accepts
fewer grievances per second than in bench/intake_load.py: read the proportions, not the times.
Needs the local Kafka and PostgreSQL (deploy/local), wrk (Debian package) and py-spy (dev extras).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.http_load import require_wrk, run_wrk
from bench.intake_target import intake_under_test
from bench.profile_summary import read_raw, report


def py_spy() -> str:
    found = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit("py-spy is not installed: .venv/bin/pip install -e '.[dev]' (it is a dev extra)")
    return found


async def profile(args: argparse.Namespace) -> None:
    require_wrk()
    spy = py_spy()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    async with intake_under_test("bench-profile") as intake:
        await asyncio.to_thread(run_wrk, intake.submit_url, seconds=args.warmup, connections=args.connections)
        process = psutil.Process(intake.api_pid)
        cpu_before = sum(process.cpu_times()[:2])
        command = [spy, "record", "--pid", str(intake.api_pid), "--duration", str(round(args.seconds))]
        command += ["--rate", str(args.rate), "--format", "raw", "--function", "-o", str(out)]
        # Native stacks need the process paused for each sample; Python stacks can be read without.
        command += ["--native"] if args.native else ["--nonblocking"]
        recorder = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            load = await asyncio.to_thread(
                run_wrk, intake.submit_url, seconds=args.seconds, connections=args.connections
            )
            spy_output, _ = await asyncio.to_thread(recorder.communicate, timeout=args.seconds + 60)
        finally:
            if recorder.poll() is None:
                recorder.kill()
        cpu_used = sum(process.cpu_times()[:2]) - cpu_before
        stored, backlog = await intake.stored_and_backlog()
    if recorder.returncode != 0:
        raise SystemExit(f"py-spy failed ({recorder.returncode}):\n{spy_output}")

    accepted = max(1, load.requests - load.non_2xx)
    print(f"intake under py-spy ({args.rate} samples/s{', native frames' if args.native else ''}), {args.seconds}s")
    print(
        f"  accepted/s {load.requests_per_s:.0f} (slowed by the sampling)  p50 {load.p50_ms:.1f} ms"
        f"  p99 {load.p99_ms:.1f} ms  non-2xx {load.non_2xx}; stored {stored}, outbox backlog {backlog}"
    )
    print(f"  intake API process CPU: {cpu_used:.1f}s = {cpu_used * 1000 / accepted:.2f} ms per accepted grievance")
    print(f"  raw profile: {out} (speedscope or flamegraph.pl)")
    for line in report(read_raw(out), args.top):
        print(f"  {line}")
    print(f"  total run time {time.monotonic() - began:.0f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="profiled load duration")
    parser.add_argument("--warmup", type=float, default=3, help="unprofiled load first")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument(
        "--native", action="store_true", help="also C/Cython frames (asyncpg, uvloop); pauses intake per sample"
    )
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "intake-profile.txt"))
    args = parser.parse_args()
    asyncio.run(profile(args))


if __name__ == "__main__":
    main()
