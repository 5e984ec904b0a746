"""The dependencies every console page declares: who is signed in, with which role, CSRF, the APIs."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

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


async def password_viewer(request: Request) -> Viewer:
    """The viewer even while a one-time password is still to be changed (the password page, sign-out)."""
    viewer: Viewer | None = await request.app.state.sessions.viewer(request, allow_password_change=True)
    if viewer is None:
        raise SignInRequired(request.url.path)
    return viewer


PasswordViewer = Annotated[Viewer, Depends(password_viewer)]


def same_origin(request: Request) -> bool:
    """A second layer under the CSRF token: a browser that says where a POST comes from must say
    it comes from here. Requests without the headers (older browsers, scripts) rely on the token."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    # Compare host and port only: behind a TLS-terminating proxy the scheme we see is http.
    ours = {request.url.netloc}
    public = request.app.state.settings.public_base_url
    if public:
        ours.add(urlsplit(public).netloc)
    return urlsplit(origin).netloc in ours


async def form_token(request: Request) -> str | None:
    """The CSRF token a request sent: the htmx header, or the form field of a plain form."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent


def token_matches(sent: str | None, expected: str) -> bool:
    return bool(sent) and hmac.compare_digest(str(sent).encode(), expected.encode())


async def check_csrf(request: Request, viewer: CurrentViewer) -> Viewer:
    """State-changing routes depend on this: the form field or htmx header must match the session's."""
    if not same_origin(request) or not token_matches(await form_token(request), viewer.csrf_token):
        raise CsrfRejected()
    return viewer


# A POST handler declares ``viewer: CsrfViewer`` instead of CurrentViewer (role checks still apply).
CsrfViewer = Annotated[Viewer, Depends(check_csrf)]


async def check_csrf_allowing_password_change(request: Request, viewer: PasswordViewer) -> Viewer:
    if not same_origin(request) or not token_matches(await form_token(request), viewer.csrf_token):
        raise CsrfRejected()
    return viewer


# The password form and sign-out: CSRF-checked, usable before a one-time password is changed.
CsrfPasswordViewer = Annotated[Viewer, Depends(check_csrf_allowing_password_change)]


def service_api(request: Request, viewer: CurrentViewer) -> ServiceApi:
    return ServiceApi(
        request.app.state.http(),
        request.app.state.settings.service_urls(),
        viewer.token,
        request.headers.get("x-correlation-id"),
    )


Api = Annotated[ServiceApi, Depends(service_api)]
