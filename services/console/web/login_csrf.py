"""CSRF for the sign-in form itself (login CSRF: signing a victim in as the attacker).

Before there is a session there is no session token, so the form carries a random value that is
also set as a cookie (double submit). The cookie is HttpOnly, SameSite=Strict and Secure, so
another site can neither read it nor make the browser send it with a forged POST."""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from services.console.web.deps import token_matches

LOGIN_CSRF_COOKIE = "console_login_csrf"


def login_token(request: Request) -> str:
    """The browser's current sign-in token, or a new one (set it with ``remember``)."""
    current = request.cookies.get(LOGIN_CSRF_COOKIE)
    if current and 20 <= len(current) <= 100:
        return current
    return secrets.token_urlsafe(32)


def remember(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, secure=secure, samesite="strict", path="/")


def forget(response: Response, *, secure: bool) -> None:
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/", httponly=True, secure=secure, samesite="strict")


def login_token_valid(request: Request, sent: str | None) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(cookie) and token_matches(sent, str(cookie))
