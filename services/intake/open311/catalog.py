"""What the facade offers: services (the 15 responsibility areas), their definition, discovery.

The filer's service is only a hint: the router decides the area. The definition asks for the
street and community the platform routes by; both are optional, as a conformant client may send
only a location (lat/long, address_string or address_id).
"""

from __future__ import annotations

from typing import Any

from shared.events.vocabulary import Area, Street

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the facade's behaviour last changed (discovery's changeset); bump it with the facade.
CHANGESET = "2026-12-06T00:00:00+08:00"
CONTACT = "深圳市光明区信访局"
KEY_SERVICE = "POST 所需的 api_key 由光明区信访局发放；未启用 api_key 的部署无需提供"

SERVICE_CODES: dict[str, Area] = {area.name: area for area in Area}
CODE_OF_AREA: dict[str, str] = {area.value: code for code, area in SERVICE_CODES.items()}


def service(code: str) -> dict[str, Any]:
    area = SERVICE_CODES[code]
    return {
        "service_code": code,
        "service_name": area.value,
        "description": f"{area.value}方面的诉求",
        "metadata": True,
        "type": "realtime",
        "keywords": area.value,
        "group": "诉求",
    }


def services() -> list[dict[str, Any]]:
    return [service(code) for code in SERVICE_CODES]


def service_definition(code: str) -> dict[str, Any]:
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "street",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "光明区的六个街道之一（可选，便于分派）",
                "order": 1,
                "description": "所在街道",
                "values": [{"key": street.value, "name": street.value} for street in Street],
            },
            {
                "variable": True,
                "code": "community",
                "datatype": "string",
                "required": False,
                "datatype_description": "社区名称（可选）",
                "order": 2,
                "description": "所在社区",
            },
        ],
    }


def discovery(endpoint_url: str, *, production: bool) -> dict[str, Any]:
    """The discovery document: one GeoReport v2 endpoint in both formats."""
    return {
        "changeset": CHANGESET,
        "contact": CONTACT,
        "key_service": KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production" if production else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
