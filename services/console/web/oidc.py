"""Sign-in through the organisation's OpenID Connect provider: authorization code flow with PKCE
(S256), ``state`` and ``nonce``; the ID token's signature is checked against the provider's JWKS
and its iss, aud, azp, exp, iat and nonce by Authlib's OIDC claims rules (joserfc underneath).

The identity only says *who*: the role and department always come from the console account it
maps to, so the provider cannot grant permissions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.console.db import oidc_login
from services.console.settings import Settings

# How long a browser may spend at the provider before the pending sign-in is forgotten.
FLOW_LIFETIME = timedelta(minutes=10)
# The browser's half of a pending sign-in: only the browser that started it can finish it.
STATE_COOKIE = "console_oidc_state"
CLOCK_LEEWAY_S = 60


class OidcFailed(Exception):
    """The provider's answer cannot be trusted or used; ``detail`` is for the person signing in."""

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(reason)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Identity:
    subject: str
    preferred_username: str | None


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


class OidcSignIn:
    def __init__(self, settings: Settings, engine: AsyncEngine, http: httpx.AsyncClient) -> None:
        if not (settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret):
            raise ValueError("OIDC sign-in is not configured")
        self._settings = settings
        self._engine = engine
        self._http = http
        self._issuer = settings.oidc_issuer
        self._client_id = settings.oidc_client_id
        self._client_secret = settings.oidc_client_secret.get_secret_value()
        self._metadata: dict[str, Any] | None = None
        self._jwks: dict[str, Any] | None = None

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            response = await self._http.get(f"{self._issuer}/.well-known/openid-configuration")
            response.raise_for_status()
            document: dict[str, Any] = response.json()
            # OIDC Discovery §4.3: the document must be the issuer's own.
            if document.get("issuer", "").rstrip("/") != self._issuer:
                raise OidcFailed("统一身份认证配置有误，请联系管理员。", "issuer mismatch in discovery document")
            self._metadata = document
        return self._metadata

    async def begin(self, next_path: str) -> tuple[str, str]:
        """The provider's authorization URL and the state to keep in the browser's cookie."""
        metadata = await self.metadata()
        state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            await conn.execute(delete(oidc_login).where(oidc_login.c.expires_at <= now))
            await conn.execute(
                insert(oidc_login).values(
                    state_hash=_hash(state),
                    nonce=nonce,
                    code_verifier=verifier,
                    next_path=next_path,
                    expires_at=now + FLOW_LIFETIME,
                )
            )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": self._settings.oidc_redirect_url,
                "scope": self._settings.oidc_scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return f"{metadata['authorization_endpoint']}?{query}", state

    async def finish(self, *, cookie_state: str | None, state: str, code: str) -> tuple[Identity, str]:
        """The verified identity and where to go next; the pending sign-in is used up either way."""
        if not cookie_state or not secrets.compare_digest(cookie_state.encode(), state.encode()):
            raise OidcFailed("登录请求已失效，请重新登录。", "state does not match this browser's")
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(
                    delete(oidc_login).where(oidc_login.c.state_hash == _hash(state)).returning(*oidc_login.c)
                )
            ).one_or_none()
        if row is None or row.expires_at <= datetime.now(UTC):
            raise OidcFailed("登录请求已失效，请重新登录。", "unknown or expired state")
        tokens = await self._exchange(code, row.code_verifier)
        claims = await self._verify_id_token(tokens, row.nonce)
        subject = str(claims["sub"])
        username = claims.get("preferred_username") or await self._userinfo_username(tokens, subject)
        return Identity(subject, str(username) if username else None), row.next_path

    async def _userinfo_username(self, tokens: dict[str, Any], subject: str) -> str | None:
        """Providers may keep profile claims out of the ID token (they conform it to the minimum
        when an access token is issued): ask the UserInfo endpoint, whose ``sub`` must match."""
        endpoint = (await self.metadata()).get("userinfo_endpoint")
        if not endpoint or not tokens.get("access_token"):
            return None
        response = await self._http.get(endpoint, headers={"Authorization": f"Bearer {tokens['access_token']}"})
        if response.status_code != 200:
            return None
        info: dict[str, Any] = response.json()
        if info.get("sub") != subject:  # OIDC Core 5.3.2: otherwise the answer must not be used
            raise OidcFailed("身份信息不一致，请重新登录。", "userinfo sub differs from the id_token's")
        username = info.get("preferred_username")
        return str(username) if username else None

    async def _exchange(self, code: str, verifier: str) -> dict[str, Any]:
        metadata = await self.metadata()
        try:
            response = await self._http.post(
                metadata["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self._settings.oidc_redirect_url,
                    "code_verifier": verifier,
                },
                auth=(self._client_id, self._client_secret),  # client_secret_basic
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise OidcFailed("统一身份认证服务暂时无法访问，请稍后再试。", f"token endpoint: {exc}") from exc
        if response.status_code != 200:
            raise OidcFailed("统一身份认证未能完成，请重新登录。", f"token endpoint answered {response.status_code}")
        tokens: dict[str, Any] = response.json()
        if "id_token" not in tokens:
            raise OidcFailed("统一身份认证未返回身份令牌。", "no id_token in the token response")
        return tokens

    async def _keys(self, *, refresh: bool = False) -> KeySet:
        if self._jwks is None or refresh:
            response = await self._http.get((await self.metadata())["jwks_uri"])
            response.raise_for_status()
            self._jwks = response.json()
        return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]

    async def _verify_id_token(self, tokens: dict[str, Any], nonce: str) -> CodeIDToken:
        metadata = await self.metadata()
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        # Never "none", and never a MAC keyed with our own secret: the provider signs asymmetrically.
        registry = JWSRegistry(algorithms=[a for a in algorithms if a not in ("none", "HS256", "HS384", "HS512")])
        try:
            try:
                token = jwt.decode(tokens["id_token"], await self._keys(), registry=registry)
            except JoseError:
                # The provider may have rotated its keys since we fetched them.
                token = jwt.decode(tokens["id_token"], await self._keys(refresh=True), registry=registry)
            claims = CodeIDToken(
                token.claims,
                token.header,
                {
                    "iss": {"essential": True, "value": metadata["issuer"]},
                    "aud": {"essential": True, "value": self._client_id},
                    "sub": {"essential": True},
                    "exp": {"essential": True},
                },
                {"nonce": nonce, "client_id": self._client_id, "access_token": tokens.get("access_token")},
            )
            claims.validate(leeway=CLOCK_LEEWAY_S)
        except JoseError as exc:
            raise OidcFailed("身份令牌校验失败，请重新登录。", f"id_token rejected: {exc}") from exc
        return claims
