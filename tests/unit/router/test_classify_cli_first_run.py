"""The batch CLI's first run on a fresh checkout trains the model on stderr: stdout is JSONL only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_first_run_trains_on_stderr_and_prints_only_jsonl(tmp_path: Path) -> None:
    model = tmp_path / "fresh" / "router_model.joblib"
    lines = [
        {"id": "p-1", "title": "停电", "text": "尊敬的领导您好：我们小区这个月停电五次了。望领导重视！"},
        {"id": "p-2", "title": "咨询", "text": "小区 门口 垃圾 堆放 多日 无人 清理"},
    ]
    # As issue 9 runs it: the command's first name, services.router.classify (cli/classify.py).
    done = subprocess.run(
        [sys.executable, "-m", "services.router.classify", "--model", str(model)],
        input="".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert model.exists()
    assert "training one from the corpus" in done.stderr
    outputs = [json.loads(line) for line in done.stdout.splitlines()]  # every line is JSON
    assert [o["id"] for o in outputs] == ["p-1", "p-2"]
    version = outputs[0]["model_version"]
    assert version and version in done.stderr
    assert all(o["model_version"] == version and o["category"] for o in outputs)
    assert all(o["item"] is None or isinstance(o["item"], str) for o in outputs)


def test_a_missing_pinned_version_is_an_error_not_a_new_model(tmp_path: Path) -> None:
    pinned = tmp_path / "20260101-abcdef1234.joblib"
    done = subprocess.run(
        [sys.executable, "-m", "services.router.cli.classify", "--model", str(pinned)],
        input='{"id": 1, "text": "路灯坏了"}\n', capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert done.stdout == ""
    assert "20260101-abcdef1234" in done.stderr
    assert not pinned.exists()
