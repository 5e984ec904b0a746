"""The dependencies every console page declares: who is signed in, with which role, CSRF, the APIs."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from services.console.web.service_api import ServiceApi
from services.console.web.viewer import Viewer
from shared.events.vocabulary import Role

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class SignInRequired(Exception):
    """No valid session: pages redirect to the sign-in page, htmx requests get ``HX-Redirect``."""

    def __init__(self, next_path: str = "/") -> None:
        super().__init__("sign-in required")
        self.next_path = next_path


class PageForbidden(Exception):
    """Signed in, but this page or action is not for the viewer's role or department."""

    def __init__(self, detail: str = "您的角色无权访问此页面。") -> None:
        super().__init__(detail)
        self.detail = detail


class CsrfRejected(Exception):
    """A state-changing request without the session's CSRF token."""


async def current_viewer(request: Request) -> Viewer:
    """The session's viewer (services/console/web/sessions.py keeps sessions), or sign in first."""
    viewer: Viewer | None = await request.app.state.sessions.viewer(request)
    if viewer is None:
        raise SignInRequired(request.url.path)
    return viewer


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


def require_roles(*roles: Role) -> Viewer:
    """``viewer: Viewer = require_roles(Role.registrar)``: admin is always allowed."""
    allowed = frozenset({*roles, Role.admin})

    async def dependency(viewer: CurrentViewer) -> Viewer:
        if viewer.role not in allowed:
            raise PageForbidden()
        return viewer

    result: Viewer = Depends(dependency)
    return result


async def check_csrf(request: Request, viewer: CurrentViewer) -> Viewer:
    """State-changing routes depend on this: the form field or htmx header must match the session's."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, viewer.csrf_token):
        raise CsrfRejected()
    return viewer


# A POST handler declares ``viewer: CsrfViewer`` instead of CurrentViewer (role checks still apply).
CsrfViewer = Annotated[Viewer, Depends(check_csrf)]


def service_api(request: Request, viewer: CurrentViewer) -> ServiceApi:
    return ServiceApi(
        request.app.state.http(),
        request.app.state.settings.service_urls(),
        viewer.token,
        request.headers.get("x-correlation-id"),
    )


Api = Annotated[ServiceApi, Depends(service_api)]
