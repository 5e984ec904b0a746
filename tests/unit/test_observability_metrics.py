"""Every process Prometheus should see serves /metrics: workers and relays through the metrics
port, APIs on their own; prometheus.yml scrapes each service part compose deploys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client import REGISTRY

from services.intake.metrics import count_submission
from shared.events.vocabulary import Channel
from shared.runtime import ApiServer, Part, metrics_app, with_metrics_server
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]


class Idle:
    async def run(self) -> None:
        return None

    def stop(self) -> None:
        return None


def served_port(parts: list[Part]) -> int | None:
    servers = [p for p in parts if isinstance(p, ApiServer)]
    return servers[0]._server.config.port if servers else None


@pytest.mark.parametrize("mode", ["worker", "relay"])
def test_worker_and_relay_get_a_metrics_server_on_the_port(mode: str) -> None:
    settings = ServiceSettings(metrics_port=9177)
    parts = with_metrics_server([Idle()], mode, settings)
    assert len(parts) == 2
    assert served_port(parts) == 9177


@pytest.mark.parametrize("mode", ["api", "all"])
def test_api_processes_serve_metrics_on_their_own_port(mode: str) -> None:
    parts: list[Part] = [Idle()]
    assert with_metrics_server(parts, mode, ServiceSettings(metrics_port=9177)) == parts


def test_no_port_no_server_and_an_existing_http_part_is_kept_alone() -> None:
    parts: list[Part] = [Idle()]
    assert with_metrics_server(parts, "worker", ServiceSettings()) == parts
    status = ApiServer(metrics_app(), host="127.0.0.1", port=9102)
    assert with_metrics_server([Idle(), status], "worker", ServiceSettings(metrics_port=9177))[1:] == [status]


async def test_metrics_app_serves_the_registry_and_health() -> None:
    count_submission(Channel.hotline)
    transport = httpx.ASGITransport(app=metrics_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://metrics") as client:
        metrics = await client.get("/metrics")
        assert metrics.status_code == 200
        assert metrics.headers["content-type"].startswith("text/plain")
        assert 'intake_submissions_total{channel="hotline"}' in metrics.text
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/v1/anything")).status_code == 404


def test_submissions_count_per_channel_from_zero() -> None:
    before = REGISTRY.get_sample_value("intake_submissions_total", {"channel": "letter"})
    assert before is not None, "every channel is exported at zero before its first grievance"
    count_submission(Channel.letter)
    assert REGISTRY.get_sample_value("intake_submissions_total", {"channel": "letter"}) == before + 1


def scrape_targets() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load((ROOT / "deploy" / "observability" / "prometheus" / "prometheus.yml").read_text())
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == "grievance"]
    return {target: group["labels"] for group in job["static_configs"] for target in group["targets"]}


def test_prometheus_scrapes_every_deployed_part_on_its_metrics_port() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    metrics_port = compose["x-platform-env"]["GRIEVANCE_METRICS_PORT"]
    expected: dict[str, dict[str, Any]] = {}
    for name, spec in compose["services"].items():
        command = spec.get("command", [])
        # One-off jobs (restart "no", e.g. the console's first admin) are not there to be scraped.
        if len(command) != 4 or not command[2].startswith("services.") or spec.get("restart") == "no":
            continue
        service, part = command[2].removeprefix("services."), command[3]
        # APIs serve /metrics on their HTTP port, the router worker on its status port.
        port = 8000 if part == "api" else 9102 if (service, part) == ("router", "worker") else metrics_port
        expected[f"{name}:{port}"] = {"service": service, "part": part}
    assert expected
    assert scrape_targets() == expected


@pytest.fixture(scope="module")
def compose_config() -> dict[str, Any]:
    from tests.unit.test_compose import SECRETS, compose

    result = compose("config", env=SECRETS)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = yaml.safe_load(result.stdout)
    return parsed


def test_prometheus_and_grafana_run_in_compose_on_localhost(compose_config: dict[str, Any]) -> None:
    services = compose_config["services"]
    prometheus, grafana = services["prometheus"], services["grafana"]
    assert prometheus["image"].startswith("prom/prometheus:") and grafana["image"].startswith("grafana/grafana:")
    for spec in (prometheus, grafana):
        assert "healthcheck" in spec
        assert all(str(port).startswith("127.0.0.1:") for port in spec["ports"]), spec["ports"]
    mounts = " ".join(prometheus["volumes"] + grafana["volumes"])
    for folder in ("observability/prometheus:/etc/prometheus", "grafana/provisioning:/etc/grafana/provisioning"):
        assert folder in mounts
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == "compose-test-grafana-password"
    assert grafana["environment"]["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
