"""FastAPI dependencies: ``Depends(require_roles(Role.reviewer))`` yields the StaffPrincipal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth.tokens import StaffPrincipal, TokenError, verify_token
from shared.events.vocabulary import Role
from shared.problems import Problem
from shared.settings import ServiceSettings

bearer = HTTPBearer(auto_error=False, description="Staff JWT: `python -m shared.auth issue --role ...`")


async def current_staff(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> StaffPrincipal:
    challenge = {"WWW-Authenticate": 'Bearer realm="grievance-platform"'}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, slug="unauthenticated", detail="需要工作人员登录令牌。", headers=challenge)
    settings: ServiceSettings = request.app.state.settings
    try:
        return verify_token(settings, credentials.credentials)
    except TokenError as exc:
        raise Problem(
            401,
            slug="invalid-token",
            detail=f"登录令牌无效：{exc}",
            headers={"WWW-Authenticate": 'Bearer realm="grievance-platform", error="invalid_token"'},
        ) from exc


def require_roles(*roles: Role) -> Callable[..., Awaitable[StaffPrincipal]]:
    """Allow the given roles (admin is always allowed); 403 for any other authenticated staff."""
    allowed = frozenset(roles) | {Role.admin}

    async def dependency(principal: StaffPrincipal = Depends(current_staff)) -> StaffPrincipal:
        if principal.role not in allowed:
            raise Problem(
                403,
                slug="forbidden-role",
                detail=f"角色 {principal.role.value} 无权执行此操作。",
                required_roles=sorted(r.value for r in allowed),
            )
        return principal

    return dependency
