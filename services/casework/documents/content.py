"""What each written notice says, built from the case: the elements the regulation requires.

Pure functions returning a Draft (template name and context); render.py turns a Draft into HTML
and PDF. ``REQUIRED_ELEMENTS`` names what every notice of a kind must show, for the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.casework.domain.calendar import local_date
from services.casework.domain.case import Case, ReplyRecord
from services.casework.domain.deadlines import MAX_EXTENSION_DAYS, REPLY_DAYS, REVIEW_REQUEST_DAYS
from services.casework.domain.hearing_findings import HearingFinding
from services.casework.domain.kinds import DECISION_NAMES_ZH, KIND_NAMES_ZH, allows_review
from services.casework.domain.legal import GROUNDS, ROUTE_TEXT_ZH, NotAcceptance
from services.casework.domain.messages import day_zh
from shared.events.vocabulary import PetitionKind


class DocumentKind(StrEnum):
    acceptance_notice = "acceptance_notice"  # 受理告知书
    not_accepted_notice = "not_accepted_notice"  # 不予受理告知书
    extension_notice = "extension_notice"  # 延期告知书
    reply_opinion = "reply_opinion"  # 信访处理意见书
    legal_transfer_notice = "legal_transfer_notice"  # 涉法涉诉事项告知书
    hearing_notice = "hearing_notice"  # 听证通知书 (documents/hearing_notice.py)


TITLES: dict[DocumentKind, str] = {
    DocumentKind.acceptance_notice: "受理告知书",
    DocumentKind.not_accepted_notice: "不予受理告知书",
    DocumentKind.extension_notice: "延期告知书",
    DocumentKind.reply_opinion: "信访处理意见书",
    DocumentKind.legal_transfer_notice: "涉法涉诉事项告知书",
    DocumentKind.hearing_notice: "听证通知书",
}

_CODES: dict[DocumentKind, str] = {
    DocumentKind.acceptance_notice: "受",
    DocumentKind.not_accepted_notice: "不受",
    DocumentKind.extension_notice: "延",
    DocumentKind.reply_opinion: "复",
    DocumentKind.legal_transfer_notice: "转",
    DocumentKind.hearing_notice: "听",
}

# Headings every notice of a kind carries, besides title, number, addressee, issuer and date.
REQUIRED_ELEMENTS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.acceptance_notice: ("信访事项", "受理决定", "办理期限", "法律依据"),
    DocumentKind.not_accepted_notice: ("信访事项", "不予受理的理由", "法律依据", "救济途径"),
    DocumentKind.extension_notice: ("信访事项", "原办理期限", "延长期限", "延期理由", "法律依据"),
    DocumentKind.reply_opinion: ("信访人的请求", "查明的事实和理由", "处理意见", "处理依据", "权利告知"),
    DocumentKind.legal_transfer_notice: ("信访事项", "转交机关", "法定途径", "法律依据"),
    DocumentKind.hearing_notice: ("信访事项", "听证时间", "听证地点", "听证组成人员", "参加人", "期限计算", "法律依据"),
}


@dataclass(frozen=True, slots=True)
class Draft:
    kind: DocumentKind
    title: str
    context: dict[str, Any]

    @property
    def template(self) -> str:
        return f"{self.kind.value}.html.j2"


def _common(case: Case, kind: DocumentKind, *, issuer: str, now: datetime, sequence: int) -> dict[str, Any]:
    year = local_date(now).year
    suffix = f"-{sequence}" if sequence > 1 else ""
    snapshot = case.snapshot
    return {
        "title": TITLES[kind],
        "doc_no": f"光信{_CODES[kind]}〔{year}〕{case.tracking_no}{suffix}号",
        "addressee": "信访人" if snapshot.anonymous else snapshot.complainant_name_masked,
        "tracking_no": case.tracking_no,
        "received_on": day_zh(local_date(snapshot.received_at)),
        "matter": snapshot.title,
        "kind_zh": KIND_NAMES_ZH.get(case.petition_kind or PetitionKind.claim, "申诉求决"),
        "issuer": issuer,
        "issued_on": day_zh(local_date(now)),
    }


def acceptance_notice(
    case: Case, *, issuer: str, co_names: list[str], reply_due: datetime, now: datetime, sequence: int = 1
) -> Draft:
    kind = DocumentKind.acceptance_notice
    context = _common(case, kind, issuer=issuer, now=now, sequence=sequence) | {
        "accepted_on": day_zh(local_date(now)),
        "co_names": co_names,
        "reply_days": REPLY_DAYS,
        "reply_due": day_zh(local_date(reply_due)),
        "max_extension_days": MAX_EXTENSION_DAYS,
    }
    return Draft(kind, TITLES[kind], context)


def not_accepted_notice(case: Case, *, issuer: str, notice: NotAcceptance, now: datetime, sequence: int = 1) -> Draft:
    kind = DocumentKind.not_accepted_notice
    rule = GROUNDS[notice.ground]
    context = _common(case, kind, issuer=issuer, now=now, sequence=sequence) | {
        "ground": rule.text_zh,
        "explanation": notice.explanation,
        "basis": rule.basis_zh,
        "route": notice.route_text_zh(),
    }
    return Draft(kind, TITLES[kind], context)


def extension_notice(case: Case, *, issuer: str, now: datetime, sequence: int = 1) -> Draft:
    kind = DocumentKind.extension_notice
    extension = case.extension
    assert extension is not None, "an extension notice follows an extension"
    context = _common(case, kind, issuer=issuer, now=now, sequence=sequence) | {
        "previous_due": day_zh(extension.previous_due_on),
        "days": extension.days,
        "new_due": day_zh(extension.new_due_on),
        "reason": extension.reason,
        "max_extension_days": MAX_EXTENSION_DAYS,
    }
    return Draft(kind, TITLES[kind], context)


def reply_opinion(
    case: Case,
    *,
    issuer: str,
    reply: ReplyRecord,
    department_names: dict[str, str],
    review_body: str,
    now: datetime,
    sequence: int = 1,
    hearing: HearingFinding | None = None,
) -> Draft:
    """信访处理意见书; when a hearing was held (§31), it states when, where, who sat and its conclusion."""
    kind = DocumentKind.reply_opinion
    petition_kind = case.petition_kind or PetitionKind.claim
    outstanding = [
        department_names.get(code, code) for code in case.co if code not in {o.department for o in reply.co_opinions}
    ]
    context = _common(case, kind, issuer=issuer, now=now, sequence=sequence) | {
        "request": reply.request_summary,
        "facts_and_reasons": reply.facts_and_reasons,
        "decision": DECISION_NAMES_ZH[reply.decision],
        "basis": reply.basis,
        "co_opinions": [
            {"department": department_names.get(o.department, o.department), "opinion": o.opinion}
            for o in reply.co_opinions
        ],
        "outstanding_co": outstanding,
        "outstanding_co_reason": reply.outstanding_co_reason,
        "review_allowed": allows_review(petition_kind),
        "review_days": REVIEW_REQUEST_DAYS,
        "review_body": review_body,
        "confidential": petition_kind is PetitionKind.report,
        "hearing": hearing_context(hearing),
    }
    return Draft(kind, TITLES[kind], context)


def hearing_context(hearing: HearingFinding | None) -> dict[str, str] | None:
    if hearing is None:
        return None
    return {
        "held_on": day_zh(hearing.held_on),
        "place": hearing.place,
        "panel": hearing.panel_zh,
        "conclusion": hearing.conclusion,
    }


def legal_transfer_notice(case: Case, *, issuer: str, body_name: str, now: datetime, sequence: int = 1) -> Draft:
    kind = DocumentKind.legal_transfer_notice
    assert case.legal is not None, "a transfer notice follows a transfer"
    context = _common(case, kind, issuer=issuer, now=now, sequence=sequence) | {
        "body": body_name,
        "route": ROUTE_TEXT_ZH[case.legal.route],
    }
    return Draft(kind, TITLES[kind], context)
