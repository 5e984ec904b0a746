"""Reading a GeoReport v2 POST: optional contact fields, a required location, derived titles."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.intake.open311.forms import TITLE_MAX, Open311Request, derive_title

MINIMAL = {
    "service_code": "transport",
    "lat": "22.7489",
    "long": "113.9357",
    "email": "chen.jianguo@example.org",
    "description": "光明大街与华夏路交叉口的红绿灯坏了三天，行人过马路很危险。",
}


def test_a_minimal_conformant_request_is_an_anonymous_filing_without_a_phone() -> None:
    filed = Open311Request.from_form(MINIMAL)
    identity = filed.identity()
    assert (filed.lat, filed.long) == (22.7489, 113.9357)
    assert identity.name is None and identity.mobile is None and identity.anonymous
    assert identity.email == "chen.jianguo@example.org"
    view = identity.view(b"k" * 32)
    assert view.name_masked == "匿名" and view.phone_masked is None and view.phone_pseudonym is None


def test_a_named_filer_with_a_phone_is_not_anonymous() -> None:
    filed = Open311Request.from_form({**MINIMAL, "first_name": "建国", "last_name": "陈", "phone": "136 1234 5678"})
    identity = filed.identity()
    assert identity.name == "陈建国" and identity.mobile == "13612345678" and not identity.anonymous


def test_blank_fields_count_as_absent() -> None:
    identity = Open311Request.from_form({**MINIMAL, "phone": "", "first_name": "  "}).identity()
    assert identity.mobile is None and identity.name is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lat": None, "long": None}, "请提供位置"),
        ({"long": None}, "lat 与 long 须同时提供"),
        ({"lat": "95"}, "less than or equal to 90"),
        ({"lat": "nan"}, "finite number"),
        ({"email": "not-an-address"}, "电子邮箱格式不正确"),
        ({"service_code": "pothole"}, "未知的 service_code"),
        ({"phone": "12345"}, "String should have at least 11 characters"),
    ],
)
def test_bad_requests_are_refused(change: dict[str, str | None], message: str) -> None:
    form = {k: v for k, v in {**MINIMAL, **change}.items() if v is not None}
    with pytest.raises(ValidationError, match=message):
        Open311Request.from_form(form)


def test_an_address_string_alone_is_a_location() -> None:
    form = {k: v for k, v in MINIMAL.items() if k not in ("lat", "long")}
    assert Open311Request.from_form({**form, "address_string": "光明大街 1 号"}).address_string == "光明大街 1 号"


def test_title_is_the_first_sentence_when_it_fits() -> None:
    assert derive_title("红绿灯坏了三天。行人过马路很危险。") == "红绿灯坏了三天"


def test_title_skips_a_too_short_first_sentence() -> None:
    assert derive_title("您好！光明大街的红绿灯坏了。") == "您好！光明大街的红绿灯坏了"


def test_a_long_sentence_is_cut_at_the_last_clause_that_fits_with_an_ellipsis() -> None:
    description = "光明大街与华夏路交叉口的红绿灯已经坏了整整三天，早晚高峰时段车辆很多，行人过马路非常危险。"
    title = derive_title(description)
    assert title == "光明大街与华夏路交叉口的红绿灯已经坏了整整三天…"
    assert len(title) <= TITLE_MAX


def test_a_sentence_without_boundaries_is_cut_hard_with_an_ellipsis() -> None:
    title = derive_title("光" * 50 + "。")
    assert title == "光" * (TITLE_MAX - 1) + "…"


def test_personal_numbers_in_the_description_do_not_reach_the_title() -> None:
    title = derive_title("我的电话13612345678，请回电。")
    assert "13612345678" not in title and "136****5678" in title
