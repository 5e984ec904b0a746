"""The headers every console answer carries, set in one place (a middleware) so that pages, error
pages, redirects and htmx fragments alike get them.

Pages carry personal data and one-time passwords: never cached, never framed by another site. The
Content-Security-Policy lets a page run and style only what the console serves itself (no inline
script, event handler or style attribute, no other origin), so text smuggled into a grievance
cannot run even if it ever escaped the templates' escaping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Images from the console itself or embedded as data: URIs; nothing remote.
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)
# FastAPI's API documentation (for the annual-report API) is Swagger UI / ReDoc: an inline script
# and files from their CDN, which the strict policy would refuse. Not framed, like everything else.
DOCS_POLICY = "frame-ancestors 'none'"
DOCS_PATHS = ("/docs", "/redoc")

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def policy_for(path: str) -> str:
    return DOCS_POLICY if path.startswith(DOCS_PATHS) else CONTENT_SECURITY_POLICY


async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Every answer but the static files (cacheable, and no documents). ``setdefault``: an answer
    that brings its own policy keeps it — the documents proxied from casework and mediation carry
    their services' stricter one (no script at all)."""
    response = await call_next(request)
    path = request.url.path
    if not path.startswith("/static/"):
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", policy_for(path))
    return response
