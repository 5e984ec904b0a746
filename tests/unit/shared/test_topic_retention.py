"""Every catalogue topic states its retention, cleanup policy and replication settings, and
docs/operations.md shows them as generated from the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.catalog import load_catalog
from shared.events import topics
from shared.events.topic_table import BEGIN, END, main, render, replace_table

ROOT = Path(__file__).resolve().parents[3]
OPERATIONS = ROOT / "docs" / "operations.md"
DAY_MS = 24 * 3600 * 1000


def test_the_operations_table_matches_the_catalogue() -> None:
    assert main(["--check", str(OPERATIONS)]) == 0, (
        "run: python -m shared.events.topic_table --write docs/operations.md"
    )
    text = OPERATIONS.read_text(encoding="utf-8")
    for spec in topics.platform_topics() + topics.dead_letter_topics():
        assert f"| `{spec.name}` | {spec.partitions} | {spec.retention_days} days" in text


def test_a_stale_table_is_detected(tmp_path: Path) -> None:
    stale = tmp_path / "operations.md"
    stale.write_text(f"# Ops\n\n{BEGIN}\n| old | table |\n{END}\n\nafter\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert main(["--write", str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
    written = stale.read_text(encoding="utf-8")
    assert written.startswith("# Ops\n\n") and written.endswith(f"{END}\n\nafter\n")
    assert "| old |" not in written


def test_a_document_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="topic-table"):
        replace_table("# no table here\n", render())


@pytest.mark.parametrize(("factor", "isr"), [(1, 1), (2, 1), (3, 2), (5, 4)])
def test_min_insync_replicas_follow_the_replication_factor(factor: int, isr: int) -> None:
    assert topics.min_insync_replicas(factor) == isr
    spec = topics.platform_topics()[0]
    assert topics.topic_configs(spec, factor)["min.insync.replicas"] == str(isr)


def test_every_topic_has_explicit_retention_and_cleanup() -> None:
    specs = topics.all_topics(load_catalog().codes)
    for spec in specs:
        configs = topics.topic_configs(spec, 3)
        assert set(configs) == {"retention.ms", "cleanup.policy", "min.insync.replicas"}
        assert configs["cleanup.policy"] == "delete", f"{spec.name}: events are never compacted away"
        # Weeks, not days: a restore from last night's dump must be able to replay what followed.
        assert spec.retention_days >= 7, spec.name
        assert int(configs["retention.ms"]) == spec.retention_days * DAY_MS
    by_name = {spec.name: spec for spec in specs}
    assert by_name[topics.GRIEVANCE_STATUS].retention_days == topics.STATUS_RETENTION_DAYS
    assert by_name[topics.dead_letter_topic("router")].retention_days == topics.DEAD_LETTER_RETENTION_DAYS


def test_asyncapi_bindings_carry_the_retention() -> None:
    document = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8"))
    by_address = {channel["address"]: channel for channel in document["channels"].values()}
    for spec in topics.platform_topics():
        configuration = by_address[spec.name]["bindings"]["kafka"]["topicConfiguration"]
        assert configuration == {"cleanup.policy": [spec.cleanup_policy], "retention.ms": spec.retention_ms}
    department = by_address[topics.department_topic("{department}")]["bindings"]["kafka"]["topicConfiguration"]
    assert department["retention.ms"] == topics.DEPARTMENT_RETENTION_DAYS * DAY_MS
