"""Schemathesis, an independent client, against every service's own OpenAPI document.

Each service runs as a real process on the module's namespace (real PostgreSQL and Kafka);
Schemathesis' command line generates requests for every operation (valid and invalid ones, with an
admin staff token so protected routes are exercised past authentication) and checks that no answer
is a 5xx and that every status, content type and body is the one the document promises.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from shared.auth import issue_token
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings
from tests.support.namespace import Namespace
from tests.support.processes import ARTIFACTS, ServiceProcess, free_port

pytestmark = pytest.mark.slow

SERVICES = ("intake", "router", "casework", "mediation", "feedback")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Bounded so the five runs together stay within a few minutes on two cores.
MAX_EXAMPLES = 8
# Rate limits high enough that generated requests reach the handlers instead of a 429.
GENEROUS_LIMITS = {
    "INTAKE_SUBMIT_RATE_LIMIT": "10000/minute",
    "INTAKE_OPEN311_SUBMIT_RATE_LIMIT": "10000/minute",
    "INTAKE_LOOKUP_RATE_LIMIT": "10000/minute",
    "INTAKE_MINYI_WEBHOOK_RATE_LIMIT": "10000/minute",
    "CASEWORK_DOCUMENT_RATE_LIMIT": "10000/minute",
    "MEDIATION_DOCUMENT_RATE_LIMIT": "10000/minute",
    "FEEDBACK_LOOKUP_RATE_LIMIT": "10000/minute",
    "FEEDBACK_STREAM_RATE_LIMIT": "10000/minute",
    "FEEDBACK_ACTION_RATE_LIMIT": "10000/minute",
}
# Generated tracking numbers are unknown: each stream request would wait out feedback's hold for
# the number (10 s by default) before its 404. A short hold keeps that path exercised and the run short.
SHORT_WAITS = {"FEEDBACK_SSE_HOLD_UNKNOWN_S": "0.2"}


def admin_token(namespace: Namespace, service: str) -> str:
    """An admin JWT as the service will verify it (admin passes every staff role check)."""
    settings_cls: type[ServiceSettings] = importlib.import_module(f"services.{service}.settings").Settings
    return issue_token(namespace.settings(settings_cls), subject="schemathesis", role=Role.admin)


@pytest.fixture(params=SERVICES)
async def running(request: pytest.FixtureRequest, namespace: Namespace) -> AsyncIterator[ServiceProcess]:
    service: str = request.param
    port = free_port()
    process = ServiceProcess(
        service,
        "api",
        namespace.env(**{f"{service.upper()}_HTTP_PORT": str(port)}, **GENEROUS_LIMITS, **SHORT_WAITS),
        name=f"{service}-schemathesis-{namespace.name}",
        port=port,
    ).start()
    try:
        await process.wait_ready()
        yield process
    finally:
        await process.stop()


def test_no_server_errors_and_no_undocumented_answers(running: ServiceProcess, namespace: Namespace) -> None:
    token = admin_token(namespace, running.service)
    junit = ARTIFACTS / f"schemathesis-{running.service}.xml"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{running.base_url}/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20260302",
        # One worker: Hypothesis parses lambdas' source with ast, which Python 3.11 cannot do from
        # two threads at once ("AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit),
        "--output-truncate",
        "false",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    output = result.stdout + result.stderr
    (ARTIFACTS / f"schemathesis-{running.service}.log").write_text(output)
    assert "operations" in output.lower(), output  # it really ran the operations
    assert result.returncode == 0, f"Schemathesis found problems in {running.service}:\n{output}"
