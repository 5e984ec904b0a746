"""The citizen portal page at ``/``: static HTML, CSS and JavaScript, no build step.

The page calls intake (file, look up) and this service (timeline, SSE, rating). Intake's public
base URL comes from settings and is written into the page once, when the app is built.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

PORTAL_DIR = Path(__file__).resolve().parent
PLACEHOLDER = "{{INTAKE_BASE_URL}}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def render_page(intake_base_url: str) -> str:
    template = (PORTAL_DIR / "index.html").read_text(encoding="utf-8")
    return template.replace(PLACEHOLDER, html.escape(intake_base_url, quote=True))


def content_security_policy(intake_base_url: str) -> str:
    """Only our own script and style; the page may talk to itself and to intake, nothing else."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {_origin(intake_base_url)}; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


def install_portal(app: FastAPI, *, intake_base_url: str) -> None:
    page = render_page(intake_base_url)
    headers = {
        "Content-Security-Policy": content_security_policy(intake_base_url),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
    }
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def portal_page() -> HTMLResponse:
        return HTMLResponse(page, headers=headers)

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=PORTAL_DIR / "static"), name="portal-static")
