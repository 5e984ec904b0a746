"""The batch CLI round trip: JSON lines in, one decision per line out, no Kafka or database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIELDS = {
    "id", "track", "petition_kind", "area", "category", "category_probability", "item", "departments", "urgent",
    "confidence", "model_version", "reasons",
}  # fmt: skip


def run(
    lines: list[str], model_path: Path, module: str = "services.router.cli.classify"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, "--model", str(model_path)],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip


def test_round_trip(model_path: Path) -> None:
    inputs = [
        {"id": "x-1", "title": "欠薪", "text": "老板欠我三个月工资不给"},
        {"id": 2, "title": "路灯", "text": "我家就在法院旁边，路灯坏了半个月", "street": "光明街道"},
        {"id": "x-3", "title": "举报", "text": "举报社区工作站主任收受红包，给亲戚违规发放补贴"},
    ]
    done = run([json.dumps(i, ensure_ascii=False) for i in inputs], model_path)
    assert done.returncode == 0, done.stderr
    outputs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in outputs] == ["x-1", 2, "x-3"]
    assert all(set(o) == FIELDS for o in outputs)
    assert [o["track"] for o in outputs] == ["mediation", "petition", "petition"]
    # a category-routed matter (category_routes): 城市建设和市政管理 → 城管
    assert outputs[1]["departments"] == {"lead": "urban-management", "co": ["street-guangming"]}
    assert outputs[2]["petition_kind"] == "report"
    assert outputs[0]["petition_kind"] is None
    assert all(0 < o["confidence"] <= 1 for o in outputs)
    assert all(r["kind"] in {"rule", "model", "catalog"} for o in outputs for r in o["reasons"])


def test_invalid_lines_are_reported_and_skipped(model_path: Path) -> None:
    done = run(['{"id": "ok", "title": "", "text": "楼上漏水"}', "not json", '{"id": "no-text"}'], model_path)
    assert done.returncode == 1
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["ok"]
    assert "line 2" in done.stderr
    assert "line 3" in done.stderr


def test_the_commands_first_names_run_the_same_commands(model_path: Path) -> None:
    line = json.dumps({"id": "n-1", "title": "停电", "text": "小区这个月停电五次了"}, ensure_ascii=False)
    by_first_name = run([line], model_path, module="services.router.classify")
    assert by_first_name.returncode == 0, by_first_name.stderr
    assert by_first_name.stdout == run([line], model_path).stdout
    for command in ("train", "evaluate"):
        helped = subprocess.run(
            [sys.executable, "-m", f"services.router.{command}", "--help"],
            capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
        )  # fmt: skip
        assert helped.returncode == 0, helped.stderr
        assert f"services.router.cli.{command}" in helped.stdout
        assert "--history" in helped.stdout  # a bureau's past cases, in training and evaluation
