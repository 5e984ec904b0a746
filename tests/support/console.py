"""Console pages against the real services: the console app in process, the services as processes.

``signed_in_as`` stands in for the sign-in page so role pages can be tested on their own; the
sign-in itself (accounts, sessions, CSRF) has its own tests through the real login form."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from services.console.app import create_app
from services.console.settings import Settings
from services.console.web.deps import current_viewer
from services.console.web.viewer import Viewer
from shared.auth import issue_token
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings
from tests.support.namespace import Namespace
from tests.support.stack import SERVICES, Stack

TEST_CSRF = "test-csrf-token"


def viewer(role: Role, department: str | None = None, *, username: str | None = None) -> Viewer:
    """A signed-in staff member carrying a real staff JWT (the services verify it)."""
    name = username or f"{role.value}-{department or 'bureau'}"
    token = issue_token(ServiceSettings(), subject=name, role=role, department=department, name=name)
    return Viewer(
        account_id=name,
        username=name,
        display_name=name,
        role=role,
        department=department,
        token=token,
        csrf_token=TEST_CSRF,
    )


def service_urls(stack: Stack) -> dict[str, str]:
    """The console's ``<service>_url`` settings for the services of this stack."""
    return {f"{s}_url": stack.url(s) for s in SERVICES}


def console_settings(namespace: Namespace, stack: Stack, **overrides: object) -> Settings:
    return namespace.settings(Settings, **service_urls(stack), **overrides)


def console_env(namespace: Namespace, stack: Stack, **extra: str) -> dict[str, str]:
    """A console process's environment: the namespace, and the services' URLs in this stack."""
    urls = {f"CONSOLE_{name.upper()}": url for name, url in service_urls(stack).items()}
    return namespace.env(**urls, **extra)


@asynccontextmanager
async def signed_in_as(namespace: Namespace, stack: Stack, who: Viewer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the console app as ``who``; forms must still send ``csrf_token=TEST_CSRF``."""
    app = create_app(console_settings(namespace, stack))
    app.dependency_overrides[current_viewer] = lambda: who
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://console.test") as client:
            yield client
