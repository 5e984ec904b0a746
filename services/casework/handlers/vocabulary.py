"""The label tables of casework's domain as one read (no I/O): states, actions, kinds, reply
decisions per kind, not-accept grounds and legal routes, in the domain's own order."""

from __future__ import annotations

from services.casework.domain.kinds import DECISION_NAMES_ZH, DECISIONS_BY_KIND, KIND_NAMES_ZH
from services.casework.domain.legal import GROUNDS, ROUTE_TEXT_ZH
from services.casework.domain.states import ACTION_NAMES_ZH, STATE_NAMES_ZH
from services.casework.schemas.vocabulary import CaseVocabulary, GroundTerm, Term


def case_vocabulary() -> CaseVocabulary:
    return CaseVocabulary(
        states=[Term(value=s.value, name_zh=name) for s, name in STATE_NAMES_ZH.items()],
        actions=[Term(value=a.value, name_zh=name) for a, name in ACTION_NAMES_ZH.items()],
        petition_kinds=[Term(value=k.value, name_zh=name) for k, name in KIND_NAMES_ZH.items()],
        decisions={
            # The declaration order of the names table (支持, 解释说明, 不予支持 ...), not the set's.
            kind.value: [Term(value=d.value, name_zh=name) for d, name in DECISION_NAMES_ZH.items() if d in allowed]
            for kind, allowed in DECISIONS_BY_KIND.items()
        },
        not_accept_grounds=[
            GroundTerm(
                value=g.value,
                name_zh=rule.text_zh,
                basis_zh=rule.basis_zh,
                needs_route=rule.needs_route,
                needs_competent_body=rule.needs_competent_body,
            )
            for g, rule in GROUNDS.items()
        ],
        legal_routes=[Term(value=r.value, name_zh=text) for r, text in ROUTE_TEXT_ZH.items()],
    )
