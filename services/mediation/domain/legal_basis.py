"""The legal basis each mediation type cites in messages and documents.

《人民调解法》 governs people's mediation (人民调解委员会) only; an administrative mediation by a
department cites 《信访工作条例》 (§33: mediation in handling a matter, with both parties'
consent; §37: people's, administrative and judicial mediation working together); a judicial
mediation is the court's, under 《民事诉讼法》 (no article named here). Only articles whose content
is certain are cited; where none applies, the text says "依法" and cites nothing.
"""

from __future__ import annotations

from services.mediation.domain.vocabulary import MediationType

PEOPLE_MEDIATION_LAW = "《中华人民共和国人民调解法》"
PETITION_REGULATION = "《信访工作条例》"
CIVIL_PROCEDURE_LAW = "《中华人民共和国民事诉讼法》"

# Mediation needs every party's consent; a party's refusal ends it.
CONSENT_BASIS: dict[MediationType, str] = {
    MediationType.people: f"{PEOPLE_MEDIATION_LAW}第十七条",
    MediationType.administrative: f"{PETITION_REGULATION}第三十三条",
    MediationType.judicial: CIVIL_PROCEDURE_LAW,
}

# When mediation ends without agreement the parties are told their other routes: a duty the law
# states for people's mediation (人民调解法 §26); the other types tell the routes without an article.
FAILURE_ROUTES_BASIS: dict[MediationType, str | None] = {
    MediationType.people: f"{PEOPLE_MEDIATION_LAW}第二十六条",
    MediationType.administrative: None,
    MediationType.judicial: None,
}

# The agreement takes effect when signed and sealed: an article of 人民调解法 for people's
# mediation only.
AGREEMENT_EFFECT_BASIS: dict[MediationType, str | None] = {
    MediationType.people: f"{PEOPLE_MEDIATION_LAW}第二十九条",
    MediationType.administrative: None,
    MediationType.judicial: None,
}


def termination_basis(mediation_type: MediationType, *, refused: bool) -> str | None:
    """What a termination notice cites: the consent rule for a refusal, and the routes duty."""
    parts = [CONSENT_BASIS[mediation_type]] if refused else []
    routes = FAILURE_ROUTES_BASIS[mediation_type]
    if routes is not None:
        parts.append(routes)
    return "；".join(parts) or None
