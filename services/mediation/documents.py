"""Render the documents this service issues: 调解协议书 and 调解终止告知书 (HTML, from templates).

HTML is the document of record; it prints to PDF from any browser, so the service needs no PDF
toolchain. Templates autoescape: party names and terms come from staff input.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from services.mediation.domain.messages import TRACK_ZH
from services.mediation.domain.outcomes import AgreementDraft, TerminationNotice
from services.mediation.domain.vocabulary import MEDIATION_TYPE_ZH, PARTY_ZH, Outcome

AGREEMENT_TITLE = "调解协议书"
TERMINATION_TITLE = "调解终止告知书"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("services.mediation", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=False,
    )


def render_agreement(draft: AgreementDraft) -> str:
    return (
        _environment()
        .get_template("agreement.html")
        .render(
            d=draft,
            type_zh=MEDIATION_TYPE_ZH[draft.mediation_type],
            party_zh=PARTY_ZH,
            deadline=f"{draft.performance_deadline:%Y年%m月%d日}",
            signed_on=f"{draft.signed_on:%Y年%m月%d日}",
        )
    )


def render_termination_notice(notice: TerminationNotice) -> str:
    ending = "因当事人不同意调解，依法终止调解" if notice.outcome is Outcome.refusal else "未能达成调解协议，调解终止"
    return (
        _environment()
        .get_template("termination_notice.html")
        .render(
            n=notice,
            type_zh=MEDIATION_TYPE_ZH[notice.mediation_type],
            party_zh=PARTY_ZH,
            ending=ending,
            track_zh=TRACK_ZH[notice.next_track],
            issued_on=f"{notice.issued_on:%Y年%m月%d日}",
        )
    )
