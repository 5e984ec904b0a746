"""Control characters in request text are refused with a field error; invisible formatting is
stripped; percent-encoded controls in the path or query are refused before any route runs."""

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import Field

from shared.text import RequestModel, clean_text, forbidden_position, strip_invisible
from shared.web import create_service_app


class Inner(RequestModel):
    note: str = Field(max_length=10)


class Body(RequestModel):
    comment: str = Field(min_length=2, max_length=200)
    tags: list[str] = Field(default_factory=list)
    inner: Inner | None = None


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(title="text test")

    @app.post("/things")
    async def create(body: Body) -> dict[str, object]:
        return body.model_dump()

    @app.get("/things/{name}")
    async def read(name: str, q: str | None = None) -> dict[str, str | None]:
        return {"name": name, "q": q}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as http:
        yield http


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x9f"])
def test_refused_control_characters(char: str) -> None:
    assert forbidden_position(f"ab{char}c") == 3


@pytest.mark.parametrize("text", ["第一行\n第二行", "列1\t列2", "Windows 换行\r\n", "普通文字 ¥100 ©"])
def test_tab_newline_carriage_return_and_printable_text_pass(text: str) -> None:
    assert forbidden_position(text) is None
    assert clean_text(text) == text


@pytest.mark.parametrize(
    "char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e"]
)
def test_bidi_controls_are_stripped(char: str) -> None:
    assert strip_invisible(f"受理{char}告知书") == "受理告知书"


@pytest.mark.parametrize("char", ["\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_marks_and_zero_width_characters_are_stripped(char: str) -> None:
    assert strip_invisible(f"{char}光明{char}街道") == "光明街道"


async def test_nul_in_a_field_is_a_422_pointing_at_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", json={"comment": "同意\u0000改派"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["pointer"] == "#/comment"
    assert error["code"] == "control_character"
    assert error["message_zh"] == "第 3 个字符是不可见的控制字符（如 NUL），请删除后重试"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"comment": "好的", "tags": ["a", "b\x07"]}, "#/tags/1"),
        ({"comment": "好的", "inner": {"note": "\x1b"}}, "#/inner/note"),
    ],
)
async def test_controls_in_lists_and_nested_models_are_refused_too(
    client: httpx.AsyncClient, body: dict[str, object], pointer: str
) -> None:
    response = await client.post("/things", json=body)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["pointer"] == pointer


async def test_invisible_characters_are_removed_before_length_checks(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/things",
        json={"comment": "\u202e书知告理受\u202c", "tags": ["\u200b标签"], "inner": {"note": "\ufeff" * 20 + "短"}},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"comment": "书知告理受", "tags": ["标签"], "inner": {"note": "短"}}


@pytest.mark.parametrize("url", ["/things/GM%00", "/things/GM?q=a%00b", "/things/GM?q=%1B", "/things/%7F"])
async def test_control_characters_in_path_or_query_are_refused(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["code"] == "control_character"
    assert error["message_zh"]
    assert "\x00" not in response.text


async def test_ordinary_path_and_query_pass(client: httpx.AsyncClient) -> None:
    response = await client.get("/things/GM-20261126-000001?q=%E5%85%89%E6%98%8E+a")
    assert response.json() == {"name": "GM-20261126-000001", "q": "光明 a"}
