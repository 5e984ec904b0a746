"""Prometheus config and alert rules: promtool (Debian's ``prometheus`` package) checks them and
runs their unit tests; every alert carries a severity, English and Chinese summaries and a
runbook entry that docs/operations.md really has."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "observability" / "prometheus"
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
SEVERITIES = {"critical", "warning", "info"}


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    assert binary, "promtool comes with Debian's prometheus package (deploy/local/bootstrap.sh)"
    return subprocess.run([binary, *args], capture_output=True, text=True, cwd=PROMETHEUS, check=False, timeout=60)


def alerts() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            found.extend(rule for rule in group["rules"] if "alert" in rule)
    return found


def test_config_is_valid_and_loads_the_rules() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(RULE_FILES)} rule files found" in result.stdout + result.stderr


def test_rules_are_valid() -> None:
    assert RULE_FILES
    result = promtool("check", "rules", *(str(p) for p in RULE_FILES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_alerts_fire_on_the_series_they_are_meant_for() -> None:
    result = promtool("test", "rules", *(str(p) for p in sorted((PROMETHEUS / "tests").glob("*.yml"))))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_a_broken_unit_test_is_caught(tmp_path: Path) -> None:
    """The promtool unit tests can fail: expecting ServiceDown while everything is up does."""
    case = {
        "rule_files": [str(p) for p in RULE_FILES],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": 'up{job="grievance", service="intake", part="api"}', "values": "1x10"}],
                "alert_rule_test": [
                    {"eval_time": "5m", "alertname": "ServiceDown", "exp_alerts": [{"exp_labels": {}}]}
                ],
            }
        ],
    }
    path = tmp_path / "broken_test.yml"
    path.write_text(yaml.safe_dump(case))
    assert promtool("test", "rules", str(path)).returncode != 0


@pytest.mark.parametrize(
    "expected",
    [
        "ServiceDown",
        "HighErrorRate",
        "HighLatencyP99",
        "ConsumerLagGrowing",
        "OutboxBacklogGrowing",
        "DeadLetters",
        "OverdueCasesRising",
        "ReviewQueueTooLong",
        "LiveStreamsDropped",
        "WebhookDeliveryFailing",
    ],
)
def test_the_issue_s_alerts_exist(expected: str) -> None:
    assert expected in {a["alert"] for a in alerts()}


def test_every_alert_has_severity_bilingual_summary_and_runbook() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text()
    assert "## Dashboards and alerts" in operations
    for alert in alerts():
        name = alert["alert"]
        assert alert["labels"]["severity"] in SEVERITIES, name
        notes = alert["annotations"]
        assert notes["summary"].isascii() and notes["summary"].strip(), name
        assert re.search(r"[\u4e00-\u9fff]", notes["summary_zh"]), f"{name}: summary_zh is not Chinese"
        assert notes["runbook"].startswith("docs/operations.md#dashboards-and-alerts"), name
        assert f"`{name}`" in operations, f"{name} is not explained in docs/operations.md"
