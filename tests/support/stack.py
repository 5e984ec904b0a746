"""The whole platform as real processes in one namespace: every service that exists, each in
``all`` mode (API + consumers + relay) on a free port."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess, free_port

SERVICES = ("intake", "router", "casework", "mediation", "feedback")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stack:
    namespace: Namespace
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.processes[service].base_url

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in self.processes.values()))


def available_services() -> list[str]:
    return [s for s in SERVICES if (ROOT / "services" / s / "__main__.py").exists()]


async def start_stack(namespace: Namespace, *, extra_env: dict[str, str] | None = None) -> Stack:
    ports = {service: free_port() for service in available_services()}
    feedback_origin = f"http://127.0.0.1:{ports.get('feedback', 8005)}"
    defaults = {
        "INTAKE_CORS_ORIGINS": json.dumps([feedback_origin]),
        "INTAKE_SUBMIT_RATE_LIMIT": "10000/minute",
        "FEEDBACK_INTAKE_PUBLIC_URL": f"http://127.0.0.1:{ports.get('intake', 8001)}",
    }
    # extra_env may override a default (a benchmark sets its own rate limit).
    env = namespace.env(**{**defaults, **(extra_env or {})})
    stack = Stack(namespace)
    for service, port in ports.items():
        service_env = {**env, f"{service.upper()}_HTTP_PORT": str(port)}
        stack.processes[service] = ServiceProcess(
            service, "all", service_env, name=f"{namespace.name}-{service}", port=port
        ).start()
    try:
        await asyncio.gather(*(p.wait_ready(timeout=90) for p in stack.processes.values()))
    except BaseException:
        await stack.stop()
        raise
    return stack
