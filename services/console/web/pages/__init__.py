"""One module per role's pages; each exposes ``router``."""

from fastapi import APIRouter

from services.console.web.pages import dashboard, inbox, mediation, registrar, reviews

ROLE_ROUTERS: tuple[APIRouter, ...] = (
    registrar.router,
    reviews.router,
    inbox.router,
    mediation.router,
    dashboard.router,
)
