"""Intake's pure rules."""

from datetime import UTC, datetime

from services.intake.domain.complainant import ComplainantIdentity
from services.intake.domain.grievance import has_chinese, new_tracking_token, tracking_number

KEY = b"p" * 32


def test_tracking_number_uses_the_local_filing_date() -> None:
    # 17:30 UTC on the 25th is 01:30 on the 26th in Shenzhen.
    assert tracking_number("GM", datetime(2026, 11, 25, 17, 30, tzinfo=UTC), 123) == "GM-20261126-000123"
    assert tracking_number("GM", datetime(2026, 11, 26, 1, 0, tzinfo=UTC), 1234567) == "GM-20261126-1234567"


def test_tracking_tokens_are_long_and_distinct() -> None:
    tokens = {new_tracking_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) >= 32 for t in tokens)


def test_view_is_masked_and_pseudonymous() -> None:
    person = ComplainantIdentity(name="王小明", mobile="+86 13712345678", id_card="11010519491231002x", anonymous=False)
    view = person.view(KEY)
    assert view.name_masked == "王**"
    assert view.phone_masked == "137****5678"
    assert view.id_card_masked == "110105********002X"
    dumped = view.model_dump_json()
    assert "13712345678" not in dumped and "11010519491231002" not in dumped
    same_person_again = ComplainantIdentity("王小明", "13712345678", "11010519491231002X", False).view(KEY)
    assert same_person_again.phone_pseudonym == view.phone_pseudonym
    assert same_person_again.id_card_pseudonym == view.id_card_pseudonym


def test_anonymous_view_hides_even_masked_identity_but_keeps_pseudonyms() -> None:
    view = ComplainantIdentity("王小明", "13712345678", None, anonymous=True).view(KEY)
    assert view.name_masked == "匿名"
    assert view.phone_masked is None
    assert view.phone_pseudonym is not None


def test_has_chinese() -> None:
    assert has_chinese("路灯坏了")
    assert not has_chinese("light broken 1")
