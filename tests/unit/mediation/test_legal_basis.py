"""Each mediation type cites a basis that applies to it: 人民调解法 for people's mediation only,
《信访工作条例》 for administrative mediation, the civil procedure law for the court's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.mediation.documents import render_agreement, render_termination_notice
from services.mediation.domain import messages
from services.mediation.domain.outcomes import AgreementDraft, PartyEntry, TerminationNotice, agreement_number
from services.mediation.domain.vocabulary import MediationType, Outcome, Party
from shared.events.vocabulary import Track

ROUTES = ["向光明区劳动人事争议仲裁院申请劳动仲裁", "向人民法院提起诉讼"]
DUE = datetime(2026, 12, 26, 15, 59, 59, tzinfo=UTC)
PEOPLE_LAW = "人民调解法"


def all_messages(mediation_type: MediationType) -> list[str]:
    return [
        messages.opened(mediation_type, "某调解组织", DUE, panel=False),
        messages.failed(ROUTES, Track.litigation, mediation_type=mediation_type),
        messages.refused(Party.respondent, ROUTES, Track.litigation, mediation_type=mediation_type),
        messages.agreed(date(2026, 12, 1), mediation_type),
        messages.closed_unperformed(mediation_type),
    ]


def notice(mediation_type: MediationType, outcome: Outcome) -> TerminationNotice:
    return TerminationNotice(
        tracking_no="GM-20261126-000043",
        office_name="光明区人力资源局",
        mediation_type=mediation_type,
        parties=(PartyEntry(Party.applicant, "张**"), PartyEntry(Party.respondent, "某建筑劳务公司")),
        facts="欠薪三个月。",
        outcome=outcome,
        reason="被申请人不同意调解" if outcome is Outcome.refusal else "双方分歧过大",
        routes_zh=tuple(ROUTES),
        next_track=Track.litigation,
        issued_on=date(2026, 11, 26),
    )


def agreement(mediation_type: MediationType) -> AgreementDraft:
    return AgreementDraft(
        number=agreement_number(2026, 7),
        tracking_no="GM-20261126-000007",
        mediation_type=mediation_type,
        office_name="某调解组织",
        parties=(PartyEntry(Party.applicant, "张**"), PartyEntry(Party.respondent, "李四")),
        mediators=("陈桂芳",),
        facts="欠薪纠纷。",
        terms=("被申请人于十日内支付工资。",),
        performance_deadline=date(2026, 12, 20),
        signed_on=date(2026, 11, 26),
    )


@pytest.mark.parametrize("mediation_type", [MediationType.administrative, MediationType.judicial])
def test_no_message_of_administrative_or_judicial_mediation_cites_the_people_mediation_law(
    mediation_type: MediationType,
) -> None:
    for message in all_messages(mediation_type):
        assert PEOPLE_LAW not in message, message


def test_people_mediation_messages_cite_its_law() -> None:
    opened, failed, refused, agreed, unperformed = all_messages(MediationType.people)
    assert "《中华人民共和国人民调解法》第十七条" in opened
    assert "第二十六条" in failed and "第十七条" not in failed
    assert "第十七条" in refused and "第二十六条" in refused
    assert "第三十三条" in agreed
    assert "第三十二条" in unperformed


def test_administrative_mediation_cites_the_petition_regulation() -> None:
    opened, failed, refused, *_ = all_messages(MediationType.administrative)
    assert "《信访工作条例》第三十三条" in opened
    assert "《信访工作条例》第三十三条" in refused
    # The routes are still told, without an article that does not govern this mediation.
    assert all(route in failed for route in ROUTES)


def test_judicial_mediation_cites_the_civil_procedure_law() -> None:
    opened, _, refused, *_ = all_messages(MediationType.judicial)
    assert "民事诉讼法" in opened and "民事诉讼法" in refused


@pytest.mark.parametrize("outcome", [Outcome.refusal, Outcome.failure])
@pytest.mark.parametrize("mediation_type", [MediationType.administrative, MediationType.judicial])
def test_termination_notices_of_other_types_do_not_cite_the_people_mediation_law(
    mediation_type: MediationType, outcome: Outcome
) -> None:
    html = render_termination_notice(notice(mediation_type, outcome))
    assert PEOPLE_LAW not in html
    assert all(route in html for route in ROUTES)
    assert ('data-field="consent_basis"' in html) is (outcome is Outcome.refusal)


def test_administrative_refusal_notice_cites_the_regulation_and_people_notice_its_law() -> None:
    administrative = render_termination_notice(notice(MediationType.administrative, Outcome.refusal))
    assert "《信访工作条例》第三十三条" in administrative
    people = render_termination_notice(notice(MediationType.people, Outcome.refusal))
    assert "人民调解法》第十七条" in people and "人民调解法》第二十六条" in people
    people_failed = render_termination_notice(notice(MediationType.people, Outcome.failure))
    assert "第二十六条" in people_failed and "第十七条" not in people_failed


@pytest.mark.parametrize("mediation_type", list(MediationType))
def test_agreement_cites_article_29_for_people_mediation_only(mediation_type: MediationType) -> None:
    html = render_agreement(agreement(mediation_type))
    assert ("第二十九条" in html) is (mediation_type is MediationType.people)
    assert (PEOPLE_LAW in html) is (mediation_type is MediationType.people)
    assert "之日起生效" in html
