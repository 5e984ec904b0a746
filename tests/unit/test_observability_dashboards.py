"""Grafana provisioning: every dashboard parses, uses the provisioned datasource, and asks only
for metrics the code exports (read from the prometheus-client registry, nothing started)."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "observability" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
# Series Prometheus makes itself, not the code.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gauge": ("",),
    "info": ("_info",),
}
# Words of PromQL that look like names: aggregations, functions, keywords.
_LABEL_LISTS = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_SELECTORS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_NAME = re.compile(r"(?<![\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()")
_KEYWORDS = {"and", "or", "unless", "offset", "bool", "by", "without", "on", "ignoring", "inf", "nan"}


def exported_metric_names() -> set[str]:
    """Import every module that declares prometheus-client metrics, then list the registry."""
    for path in [*(ROOT / "services").rglob("*.py"), *(ROOT / "shared").rglob("*.py")]:
        if "migrations" in path.parts or "from prometheus_client import" not in path.read_text(encoding="utf-8"):
            continue
        importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(f"{family.name}{suffix}" for suffix in SUFFIXES.get(family.type, ("",)))
    return names


def metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression selects (Grafana's $variables ignored)."""
    stripped = _RANGES.sub(" ", _SELECTORS.sub(" ", _STRINGS.sub(" ", _LABEL_LISTS.sub(" ", expr))))
    return {name for name in _NAME.findall(stripped) if name.lower() not in _KEYWORDS}


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


@pytest.fixture(scope="module")
def exported() -> set[str]:
    return exported_metric_names()


@pytest.fixture(scope="module")
def datasource_uid() -> str:
    provisioned = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [source] = provisioned["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    return str(source["uid"])


def test_the_registry_holds_the_metrics_the_issue_names(exported: set[str]) -> None:
    assert {
        "intake_submissions_total",
        "router_classifications_total",
        "router_reviews_pending",
        "consumer_lag",
        "outbox_backlog",
        "dead_letters_total",
        "casework_overdue_clocks",
        "sse_streams_open",
        "webhook_attempts_total",
        "http_request_duration_seconds_bucket",
    } <= exported


def test_the_extractor_finds_names_and_skips_promql_words() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{route!~".*/x"}'
        "[$__rate_interval]))) / on () max(router_reviews_pending offset 1h) or vector(0)"
    )
    assert metric_names(expr) == {"http_request_duration_seconds_bucket", "router_reviews_pending"}


def test_dashboards_are_provisioned_from_their_folder() -> None:
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "dashboards.yml").read_text())
    [entry] = provider["providers"]
    assert entry["type"] == "file" and entry["options"]["path"] == "/etc/grafana/dashboards"
    assert DASHBOARDS


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_is_valid(path: Path, exported: set[str], datasource_uid: str) -> None:
    dashboard = json.loads(path.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"] and dashboard["panels"]
    ids = [p["id"] for p in panels(dashboard)]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    queries = 0
    for panel in panels(dashboard):
        if panel["type"] == "row":
            continue
        assert panel["title"], panel["id"]
        assert panel["datasource"]["uid"] == datasource_uid, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == datasource_uid, panel["title"]
            names = metric_names(target["expr"])
            assert names, f"{panel['title']}: no metric in {target['expr']}"
            unknown = names - exported - PROMETHEUS_SERIES
            assert not unknown, f"{panel['title']}: {sorted(unknown)} not exported by the code"
            queries += 1
    assert queries >= 10


def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    """promtool parses each query as a recording rule (Grafana's interval variables made concrete)."""
    binary = shutil.which("promtool")
    assert binary, "promtool comes with Debian's prometheus package (deploy/local/bootstrap.sh)"
    rules = [
        {"record": f"dashboard:query_{i}", "expr": re.sub(r"\$__(rate_)?interval|\$__range", "5m", expr)}
        for i, expr in enumerate(
            t["expr"]
            for path in DASHBOARDS
            for panel in panels(json.loads(path.read_text(encoding="utf-8")))
            for t in panel.get("targets", [])
        )
    ]
    path = tmp_path / "dashboard_queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    result = subprocess.run([binary, "check", "rules", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(rules)} rules found" in result.stdout


def test_rule_expressions_use_exported_metrics(exported: set[str]) -> None:
    """The alert rules may use their own recording rules, and otherwise only exported names."""
    recorded: set[str] = set()
    expressions: list[str] = []
    for path in sorted((ROOT / "deploy" / "observability" / "prometheus" / "rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                recorded.update([rule["record"]] if "record" in rule else [])
                expressions.append(rule["expr"])
    for expr in expressions:
        unknown = metric_names(expr) - exported - PROMETHEUS_SERIES - recorded
        assert not unknown, f"{sorted(unknown)} in {expr!r}"
