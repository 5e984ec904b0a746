"""The two GeoReport v2 formats: the same documents as JSON or as XML, and the error list."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from fastapi.responses import Response

Format = Literal["json", "xml"]
FORMATS: tuple[Format, ...] = ("json", "xml")
MEDIA_TYPES: dict[Format, str] = {"json": "application/json", "xml": "text/xml; charset=utf-8"}

# How the specification names the items of each list in XML.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            node.append(_element(key, child))
    elif isinstance(value, Sequence) and not isinstance(value, str):
        item_tag = ITEM_TAGS.get(tag, "item")
        for child in value:
            node.append(_element(item_tag, child))
    elif value is not None:
        node.text = _text(value)
    return node


def to_xml(root: str, document: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> bytes:
    """``document`` as XML under ``root``; lists become one element per item, None an empty element."""
    body: bytes = ET.tostring(_element(root, document), encoding="utf-8", xml_declaration=True)
    return body


def render(
    fmt: Format,
    root: str,
    document: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """One response in the asked format; ``root`` names the XML root (JSON has none)."""
    if fmt == "xml":
        body = to_xml(root, document)
    else:
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status_code, media_type=MEDIA_TYPES[fmt], headers=dict(headers or {}))


def error_document(code: int, descriptions: Sequence[str]) -> list[dict[str, Any]]:
    return [{"code": code, "description": text} for text in descriptions]


def render_errors(
    fmt: Format, status_code: int, descriptions: Sequence[str], *, headers: Mapping[str, str] | None = None
) -> Response:
    """The specification's error list, ``[{"code", "description"}]`` or ``<errors><error>``."""
    return render(fmt, "errors", error_document(status_code, descriptions), status_code=status_code, headers=headers)


def format_of_path(path: str) -> Format:
    """The format a path asks for; JSON when it names none we serve (e.g. an error on ``.csv``)."""
    return "xml" if path.endswith(".xml") else "json"


class Open311Error(Exception):
    """Raise from a facade route to answer with the specification's error list."""

    def __init__(self, status_code: int, *descriptions: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__("; ".join(descriptions))
        self.status_code = status_code
        self.descriptions = list(descriptions)
        self.headers = dict(headers or {})
