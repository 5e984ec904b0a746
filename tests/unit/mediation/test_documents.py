"""An agreement produces a complete 调解协议书; a failure produces a notice with the other routes."""

from __future__ import annotations

import re
from datetime import date

import pytest

from services.mediation.documents import render_agreement, render_termination_notice
from services.mediation.domain import messages
from services.mediation.domain.outcomes import (
    JUDICIAL_CONFIRMATION_NOTICE,
    AgreementDraft,
    PartyEntry,
    TerminationNotice,
    agreement_gaps,
    agreement_number,
    reroute_for,
)
from services.mediation.domain.triage import FailureRoute
from services.mediation.domain.vocabulary import MediationType, Outcome, Party
from shared.events.vocabulary import Track


def draft(**changes: object) -> AgreementDraft:
    values: dict[str, object] = {
        "number": agreement_number(2026, 42),
        "tracking_no": "GM-20261126-000042",
        "mediation_type": MediationType.people,
        "office_name": "公明街道人民调解委员会",
        "parties": (PartyEntry(Party.applicant, "张**"), PartyEntry(Party.respondent, "李四", "王律师")),
        "mediators": ("陈桂芳", "林晓雯", "黄振邦"),
        "facts": "被申请人家中卫生间漏水，致申请人天花板受损。",
        "terms": ("被申请人于十日内修复防水层。", "被申请人赔偿申请人维修费人民币3000元。"),
        "performance_deadline": date(2026, 12, 20),
        "signed_on": date(2026, 11, 26),
    }
    values.update(changes)
    return AgreementDraft(**values)  # type: ignore[arg-type]


def section(html: str, field: str) -> str:
    match = re.search(rf'data-field="{field}"[^>]*>(.*?)</(p|ul|ol|td)>', html, re.S)
    assert match, f"section {field} missing"
    return match.group(1)


def test_agreement_document_has_every_required_part() -> None:
    d = draft()
    assert agreement_gaps(d) == []
    html = render_agreement(d)
    assert "（2026）光明调协字第000042号" in section(html, "number")
    parties = section(html, "parties")
    assert "申请人：张**" in parties
    assert "被申请人：李四（委托代理人：王律师）" in parties
    assert "天花板受损" in section(html, "facts")
    terms = section(html, "terms")
    assert terms.count("<li>") == 2
    assert "3000元" in terms
    assert "2026年12月20日" in section(html, "performance_deadline")
    assert section(html, "mediators") == "陈桂芳、林晓雯、黄振邦"
    assert "2026年11月26日" in section(html, "signed_on")
    assert "公明街道人民调解委员会" in section(html, "office")
    assert "GM-20261126-000042" in html


def test_peoples_mediation_agreement_reminds_of_judicial_confirmation_within_30_days() -> None:
    html = render_agreement(draft())
    notice = section(html, "judicial_confirmation")
    assert "三十日内" in notice
    assert "第三十三条" in notice
    assert notice == JUDICIAL_CONFIRMATION_NOTICE


@pytest.mark.parametrize("mediation_type", [MediationType.administrative, MediationType.judicial])
def test_other_agreements_carry_no_section_33_reminder(mediation_type: MediationType) -> None:
    html = render_agreement(draft(mediation_type=mediation_type))
    assert 'data-field="judicial_confirmation"' not in html
    assert "第三十三条" not in html


def test_incomplete_agreements_are_named_gaps() -> None:
    gaps = agreement_gaps(
        draft(
            parties=(PartyEntry(Party.applicant, "张**"),),
            terms=("  ",),
            facts="",
            mediators=(),
            performance_deadline=date(2026, 11, 1),
        )
    )
    assert gaps == ["缺少被申请人", "缺少纠纷事实", "缺少协议条款", "缺少调解员", "履行期限早于签署日期"]


def test_staff_input_is_escaped_in_documents() -> None:
    html = render_agreement(draft(terms=("<script>alert(1)</script>",)))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_termination_notice_tells_the_parties_the_other_routes() -> None:
    notice = TerminationNotice(
        tracking_no="GM-20261126-000043",
        office_name="公明街道人民调解委员会",
        mediation_type=MediationType.people,
        parties=(PartyEntry(Party.applicant, "张**"), PartyEntry(Party.respondent, "某公司")),
        facts="欠薪三个月。",
        outcome=Outcome.refusal,
        reason="被申请人不同意调解",
        routes_zh=("申请劳动仲裁", "向人民法院起诉"),
        next_track=Track.litigation,
        issued_on=date(2026, 11, 26),
    )
    html = render_termination_notice(notice)
    assert section(html, "routes").count("<li>") == 2
    assert "第十七条" in html and "第二十六条" in html
    assert "涉法涉诉" in section(html, "next_track")


def test_failure_and_refusal_reroute_and_nothing_else_does() -> None:
    route = FailureRoute(Track.litigation, ("向人民法院起诉",))
    failed = reroute_for(Outcome.failure, route, detail="分歧过大")
    refused = reroute_for(Outcome.refusal, route, detail="不同意", to_track=Track.petition)
    assert failed is not None and failed.reason == "mediation_failed" and failed.to_track is Track.litigation
    assert refused is not None and refused.reason == "mediation_refused" and refused.to_track is Track.petition
    assert reroute_for(Outcome.agreement, route, detail="") is None
    assert reroute_for(Outcome.withdrawal, route, detail="") is None


def test_citizen_messages_cite_the_law() -> None:
    people = MediationType.people
    assert "第二十六条" in messages.failed(["申请劳动仲裁"], Track.litigation, mediation_type=people)
    assert "第十七条" in messages.refused(Party.respondent, ["向人民法院起诉"], Track.litigation, mediation_type=people)
    assert "三十日内" in messages.agreed(date(2026, 12, 1), MediationType.people)
    assert "三十日内" not in messages.agreed(date(2026, 12, 1), MediationType.judicial)
