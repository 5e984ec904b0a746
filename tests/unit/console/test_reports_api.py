"""The console's report API: supervisors only, the caller's token forwarded, refusals as problems."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pypdf import PdfReader

from services.console.app import create_app
from services.console.settings import Settings
from shared.auth import issue_token
from shared.events.vocabulary import Role
from tests.unit.console.recorded import URLS, answers, fake_services

SETTINGS = Settings(
    environment="test",
    intake_url=URLS["intake"],
    router_url=URLS["router"],
    casework_url=URLS["casework"],
    mediation_url=URLS["mediation"],
    feedback_url=URLS["feedback"],
)


def token(role: Role, department: str | None = None) -> str:
    return issue_token(SETTINGS, subject=f"{role.value}-1", role=role, department=department)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


class Console:
    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []
        self.status: Callable[[httpx.Request], int | None] = lambda _: None
        self.app = create_app(SETTINGS, transport=fake_services(answers(), self.seen, lambda r: self.status(r)))


@pytest.fixture
async def console() -> AsyncIterator[tuple[Console, httpx.AsyncClient]]:
    c = Console()
    async with c.app.router.lifespan_context(c.app):
        transport = httpx.ASGITransport(app=c.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
            yield c, client


async def test_supervisor_gets_the_pdf_built_with_their_own_token(console: tuple[Console, httpx.AsyncClient]) -> None:
    c, client = console
    mine = token(Role.supervisor)
    response = await client.get("/v1/reports/annual/2026.pdf", headers=bearer(mine))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="annual-report-2026.pdf"' in response.headers["content-disposition"]
    assert "2026年度信访工作报告" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert c.seen and {r.headers["Authorization"] for r in c.seen} == {f"Bearer {mine}"}


async def test_admin_gets_the_docx(console: tuple[Console, httpx.AsyncClient]) -> None:
    _, client = console
    response = await client.get("/v1/reports/annual/2026.docx", headers=bearer(token(Role.admin)))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    assert response.content[:2] == b"PK"  # a DOCX is a zip package


@pytest.mark.parametrize(
    ("role", "department"),
    [(Role.department_officer, "housing"), (Role.mediator, "people-mediation"), (Role.reviewer, None)],
)
async def test_other_roles_are_refused_before_any_service_is_asked(
    console: tuple[Console, httpx.AsyncClient], role: Role, department: str | None
) -> None:
    c, client = console
    response = await client.get("/v1/reports/annual/2026.pdf", headers=bearer(token(role, department)))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert c.seen == []


async def test_without_a_token_401(console: tuple[Console, httpx.AsyncClient]) -> None:
    c, client = console
    response = await client.get("/v1/reports/annual/2026.docx")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert c.seen == []


@pytest.mark.parametrize("year", ["1999", "2101", "twenty"])
async def test_bad_year_is_422(console: tuple[Console, httpx.AsyncClient], year: str) -> None:
    c, client = console
    response = await client.get(f"/v1/reports/annual/{year}.pdf", headers=bearer(token(Role.supervisor)))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert c.seen == []


async def test_a_service_refusing_the_caller_is_the_callers_403(console: tuple[Console, httpx.AsyncClient]) -> None:
    c, client = console
    c.status = lambda r: 403 if r.url.host == "feedback.test" else None
    response = await client.get("/v1/reports/annual/2026.pdf", headers=bearer(token(Role.supervisor)))
    assert response.status_code == 403
    assert response.json()["service"] == "feedback"


async def test_a_failing_service_is_502(console: tuple[Console, httpx.AsyncClient]) -> None:
    c, client = console
    c.status = lambda r: 500 if r.url.host == "mediation.test" else None
    response = await client.get("/v1/reports/annual/2026.docx", headers=bearer(token(Role.supervisor)))
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["service"] == "mediation"


async def test_readiness_asks_every_service_for_healthz(console: tuple[Console, httpx.AsyncClient]) -> None:
    c, client = console
    c.status = lambda r: 200 if r.url.path == "/healthz" and r.url.host != "casework.test" else 503
    response = await client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["router"] == "ok" and checks["casework"].startswith("failed")
