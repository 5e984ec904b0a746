"""A 500 logs where it failed, never what the request said: exception messages can quote the
request (a database error echoes the value, a validation error its input)."""

import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy.exc import DataError

from shared.problems import error_summary
from shared.web import create_service_app

RAW_ID = "11010519491231002X"
RAW_MOBILE = "15012345678"


class Strict(BaseModel):
    count: int


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(title="logging test")

    @app.post("/database")
    async def database(body: dict[str, str]) -> None:
        # What PostgreSQL answers for a bad cast: the message quotes the offending value.
        orig = ValueError(f'invalid input syntax for type integer: "{body["content"]}"')
        raise DataError("INSERT INTO grievance (content) VALUES ($1)", (body["content"],), orig)

    @app.post("/validation")
    async def validation(body: dict[str, str]) -> None:
        Strict.model_validate({"count": body["content"]})

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        yield http


@pytest.mark.parametrize("path", ["/database", "/validation"])
async def test_unexpected_error_logs_no_request_data(
    client: httpx.AsyncClient, log_output: io.StringIO, path: str
) -> None:
    content = f"身份证{RAW_ID}，手机{RAW_MOBILE}"
    response = await client.post(path, json={"content": content})
    assert response.status_code == 500
    assert RAW_ID not in response.text and RAW_MOBILE not in response.text
    output = log_output.getvalue()
    [line] = [json.loads(text) for text in output.splitlines() if "unhandled error" in text]
    assert line["error_types"], "the log still says what failed"
    assert any("test_error_logging.py" in frame for frame in line["frames"])
    assert RAW_ID not in output and RAW_MOBILE not in output
    assert "身份证" not in output


def test_error_summary_follows_the_cause_chain_and_keeps_the_sqlstate() -> None:
    class FakePostgresError(Exception):
        sqlstate = "22P02"

    try:
        try:
            raise FakePostgresError(f"value {RAW_MOBILE}")
        except FakePostgresError as inner:
            raise RuntimeError(f"wrapped {RAW_MOBILE}") from inner
    except RuntimeError as exc:
        summary = error_summary(exc)
    assert summary["sqlstate"] == "22P02"
    assert summary["error_types"][0] == "builtins.RuntimeError"
    assert summary["error_types"][1].endswith("FakePostgresError")
    assert RAW_MOBILE not in json.dumps(summary)
