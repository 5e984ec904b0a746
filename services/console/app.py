"""Console app factory and process parts; nothing connects at import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.console.accounts.store import AccountStore
from services.console.passwords import Passwords
from services.console.reports.api import router as reports_router
from services.console.settings import Settings
from services.console.web.errors import install_error_pages
from services.console.web.oidc import OidcSignIn
from services.console.web.pages import ROLE_ROUTERS, admin, auth, oidc
from services.console.web.security_headers import security_headers
from services.console.web.sessions import SessionStore
from shared.db.base import create_engine
from shared.runtime import ApiServer, Part
from shared.web import Readiness, ReadinessCheck, create_service_app

# ``all`` is the API too (deploy/local/services.sh starts every service in ``all`` mode).
MODES = ("api", "all")
STATIC = Path(__file__).parent / "web" / "static"


def service_check(http: Callable[[], httpx.AsyncClient], base_url: str) -> ReadinessCheck:
    """Ready when the service answers /healthz: the console can do nothing without them."""

    async def check() -> None:
        response = await http().get(f"{base_url}/healthz")
        response.raise_for_status()

    return check


def database_check(engine: AsyncEngine) -> ReadinessCheck:
    """Sessions and accounts live in the database: without it nobody can sign in."""

    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return check


def create_app(settings: Settings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """``transport`` replaces the network (tests); the services are reached at their settings' URLs."""
    settings = settings or Settings()
    holder: dict[str, httpx.AsyncClient] = {}
    engine = create_engine(settings)

    def http() -> httpx.AsyncClient:
        return holder["client"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(transport=transport, timeout=settings.service_timeout_s) as client:
            holder["client"] = client
            app.state.oidc = OidcSignIn(settings, engine, client) if settings.oidc_enabled else None
            try:
                yield
            finally:
                await engine.dispose()

    readiness = Readiness()
    readiness.add("database", database_check(engine))
    for name, url in settings.service_urls().items():
        readiness.add(name, service_check(http, url))
    app = create_service_app(
        title="Guangming grievance platform — console",
        description="The staff workbench over the services' HTTP APIs; the annual report (《信访工作条例》第四十一条).",
        lifespan=lifespan,
        readiness=readiness,
    )
    app.state.settings = settings
    app.state.http = http
    app.state.accounts = AccountStore(engine, Passwords(), settings.lockout)
    app.state.sessions = SessionStore(engine, settings)
    app.state.oidc = None
    app.include_router(reports_router)
    install_error_pages(app)
    for router in (auth.router, oidc.router, admin.router, *ROLE_ROUTERS):
        app.include_router(router)
    app.middleware("http")(security_headers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def parts(mode: str, settings: Settings) -> list[Part]:
    """``api`` (and ``all``) serve HTTP; the console has no consumers or relay (no outbox)."""
    return [ApiServer(create_app(settings), host=settings.http_host, port=settings.http_port)]
