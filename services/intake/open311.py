"""Open311 GeoReport v2 facade, so existing Open311 apps can file grievances into the platform.

Services are the 15 responsibility areas (the filer's pick is only a hint: the router decides);
the service definition asks for the street and community the platform needs. Requests arrive as
``application/x-www-form-urlencoded``; errors stay RFC 9457 problem details like everywhere else.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.intake import handlers
from services.intake.domain import ComplainantIdentity, has_chinese
from services.intake.handlers import IntakeContext, Replay, SubmitGrievance
from services.intake.schemas import Mobile
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Area, Channel, Street
from shared.problems import Problem, problem_responses
from shared.web import unit_of_work

router = APIRouter(prefix="/open311/v2", tags=["open311"])

SERVICE_CODES: dict[str, Area] = {area.name: area for area in Area}


class Open311Request(BaseModel):
    """The GeoReport v2 fields we use, plus the ``attribute[...]`` of our service definition."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    service_code: str
    description: str = Field(min_length=10, max_length=5000)
    first_name: str = Field(min_length=1, max_length=20)
    last_name: str = Field(min_length=1, max_length=20)
    phone: Mobile
    address_string: str | None = Field(default=None, max_length=200)
    media_url: AnyHttpUrl | None = None
    street: Street = Field(alias="attribute[street]")
    community: str = Field(alias="attribute[community]", min_length=1, max_length=40)

    @field_validator("service_code")
    @classmethod
    def _known_service(cls, value: str) -> str:
        if value not in SERVICE_CODES:
            raise ValueError("未知的 service_code，请先查询 /open311/v2/services.json")
        return value

    @field_validator("description")
    @classmethod
    def _chinese(cls, value: str) -> str:
        if not has_chinese(value):
            raise ValueError("请用中文描述您的诉求")
        return value

    def title(self) -> str:
        """Open311 has no title: the first sentence of the description, shortened."""
        text = self.description.replace("\n", " ")
        first = text.split("。")[0]
        return (first if len(first) >= 4 else text)[:30]


def _service(area: Area) -> dict[str, Any]:
    code = next(c for c, a in SERVICE_CODES.items() if a is area)
    return {
        "service_code": code,
        "service_name": area.value,
        "description": f"{area.value}方面的诉求",
        "metadata": True,
        "type": "realtime",
        "keywords": area.value,
        "group": "诉求",
    }


@router.get("/services.json", summary="The services (responsibility areas) one can file under")
async def services() -> list[dict[str, Any]]:
    return [_service(area) for area in Area]


@router.get(
    "/services/{service_code}.json",
    responses=problem_responses(404),
    summary="Service definition: the extra attributes a request needs",
)
async def service_definition(service_code: str) -> dict[str, Any]:
    if service_code not in SERVICE_CODES:
        raise Problem(404, slug="open311-unknown-service", detail="未知的 service_code。")
    return {
        "service_code": service_code,
        "attributes": [
            {
                "variable": True,
                "code": "street",
                "datatype": "singlevaluelist",
                "required": True,
                "order": 1,
                "description": "所在街道",
                "datatype_description": "光明区的六个街道之一",
                "values": [{"key": s.value, "name": s.value} for s in Street],
            },
            {
                "variable": True,
                "code": "community",
                "datatype": "string",
                "required": True,
                "order": 2,
                "description": "所在社区",
                "datatype_description": "社区名称",
            },
        ],
    }


async def _context(request: Request) -> IntakeContext:
    ctx: IntakeContext = request.app.state.ctx
    return ctx


@router.post(
    "/requests.json",
    responses=problem_responses(415, 422),
    summary="File a service request (form-encoded, GeoReport v2)",
)
async def create_request(
    request: Request,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
    ctx: IntakeContext = Depends(_context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> JSONResponse:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise Problem(415, detail="Open311 请求须为 application/x-www-form-urlencoded。")
    body = await request.body()
    form = {key: values[0] for key, values in parse_qs(body.decode(errors="replace")).items()}
    try:
        filed = Open311Request.model_validate(form)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from exc
    command = SubmitGrievance(
        identity=ComplainantIdentity(
            name=filed.last_name + filed.first_name, mobile=filed.phone, id_card=None, anonymous=False
        ),
        channel=Channel.open311,
        title=filed.title(),
        content=filed.description,
        street=filed.street.value,
        community=filed.community,
        address_detail=filed.address_string,
        attachments=[str(filed.media_url)] if filed.media_url else [],
        category_hint=SERVICE_CODES[filed.service_code].value,
    )
    replay = (
        Replay("idempotency", f"open311:{idempotency_key}", handlers.request_fingerprint(form))
        if idempotency_key
        else None
    )
    async with uow:
        result = await handlers.submit_grievance(uow=uow, ctx=ctx, command=command, replay=replay)
    accepted = result.accepted
    return JSONResponse(
        [
            {
                "service_request_id": accepted.tracking_no,
                "service_notice": accepted.message_zh,
                "account_id": None,
                # Not in GeoReport v2: the secret the filer needs to follow the request (shown once).
                "tracking_token": accepted.tracking_token,
            }
        ]
    )
