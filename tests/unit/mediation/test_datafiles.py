"""The roster data file: invented names, valid kinds and offices, unique ids and accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from services.mediation.datafiles import parse_roster
from services.mediation.domain.roster import Mediator
from services.mediation.domain.vocabulary import MediatorKind
from shared.catalog import Catalog
from shared.events.vocabulary import Street

ROSTER = Path(__file__).parents[3] / "services/mediation/data/roster.yaml"


def test_every_street_has_a_roster_of_every_kind(packaged_roster: list[Mediator]) -> None:
    for street in Street:
        people = [m for m in packaged_roster if m.street == street.value]
        assert people, street
        assert {m.kind for m in people} >= {
            MediatorKind.party_member,
            MediatorKind.lawyer,
            MediatorKind.wulao_volunteer,
        }
    assert any(m.kind is MediatorKind.department_staff for m in packaged_roster)


def test_entries_without_an_office_belong_to_their_streets_office(packaged_roster: list[Mediator]) -> None:
    gongming = {m.id: m for m in packaged_roster}
    assert gongming["gongming-01"].office == "street-gongming"
    assert gongming["mr-gongming-01"].office == "market-regulation"
    assert gongming["gongming-04"].conflict_respondents == ("明辉物业",)


def test_unknown_office_and_duplicate_ids_are_refused(catalog: Catalog) -> None:
    raw = yaml.safe_load(ROSTER.read_text("utf-8"))
    first = raw["streets"]["光明街道"][0]
    with pytest.raises(KeyError):
        parse_roster({"streets": {"光明街道": [{**first, "office": "nowhere"}]}}, catalog)
    with pytest.raises(ValueError, match="duplicate ids"):
        parse_roster({"streets": {"光明街道": [first, {**first, "subject": None}]}}, catalog)
    with pytest.raises(ValidationError):
        parse_roster({"streets": {"光明街道": [{**first, "kind": "judge"}]}}, catalog)
