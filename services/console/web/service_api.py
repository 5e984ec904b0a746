"""The services' HTTP APIs as the signed-in user: their answers, or their problem details as an error."""

from __future__ import annotations

from typing import Any

import httpx


class ApiProblem(Exception):
    """A service refused or failed: its HTTP status and RFC 9457 document (or a stand-in)."""

    def __init__(self, service: str, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{service} answered {status}: {problem.get('detail') or problem.get('title')}")
        self.service = service
        self.status = status
        self.problem = problem

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail") or self.problem.get("title") or f"{self.service} 服务出错")


class ServiceApi:
    """One request's view of the services, authorised with the viewer's token."""

    def __init__(self, http: httpx.AsyncClient, urls: dict[str, str], token: str, correlation_id: str | None = None):
        self._http = http
        self._urls = urls
        self._headers = {"Authorization": f"Bearer {token}"}
        if correlation_id:
            self._headers["X-Correlation-Id"] = correlation_id

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            response = await self._http.request(
                method,
                f"{self._urls[service]}{path}",
                params=params,
                json=json,
                headers={**self._headers, **(headers or {})},
            )
        except httpx.HTTPError as exc:
            raise ApiProblem(service, 502, {"title": "服务不可达", "detail": f"{service} 服务暂时无法访问。"}) from exc
        if response.status_code >= 400:
            raise ApiProblem(service, response.status_code, _problem_of(response))
        return response

    async def get(self, service: str, path: str, params: dict[str, Any] | list[tuple[str, Any]] | None = None) -> Any:
        return (await self.request(service, "GET", path, params=params)).json()

    async def post(self, service: str, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Any:
        response = await self.request(service, "POST", path, json=json, headers=headers)
        return response.json() if response.content else None


def _problem_of(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"title": response.reason_phrase, "status": response.status_code}
    return body if isinstance(body, dict) else {"title": response.reason_phrase, "status": response.status_code}
