"""Triage: dispute kind, mediation type, office and panel from the rules data file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from services.mediation.datafiles import load_type_rules, parse_type_rules
from services.mediation.domain.triage import Dispute, TypeRules, classify_kind, triage
from services.mediation.domain.vocabulary import DisputeKind, MediationType
from shared.catalog import Catalog
from shared.events.vocabulary import Area, Track


def dispute(title: str, content: str = "", *, area: Area = Area.urban_rural_construction, **extra: object) -> Dispute:
    values: dict[str, object] = {"lead_department": "housing", "street": "公明街道", **extra}
    return Dispute(title=title, content=content, area=area, **values)  # type: ignore[arg-type]


def test_neighbour_noise_goes_to_the_streets_peoples_mediation_committee(rules: TypeRules, catalog: Catalog) -> None:
    decided = triage(rules, catalog, dispute("楼上噪音扰民", "楼上邻居每晚噪音，多次沟通无果"))
    assert decided.kind is DisputeKind.neighbour
    assert decided.mediation_type is MediationType.people
    assert decided.office == "street-gongming"
    assert decided.office_name == "公明街道人民调解委员会"
    assert not decided.panel
    assert any(r["code"] == "type.community_dispute" for r in decided.reasons)


def test_consumer_refund_is_administrative_mediation_by_market_regulation(rules: TypeRules, catalog: Catalog) -> None:
    decided = triage(rules, catalog, dispute("健身房拒绝退款", "预付会员卡，商家拒绝退费", area=Area.commerce_tourism))
    assert decided.kind is DisputeKind.consumer
    assert decided.mediation_type is MediationType.administrative
    assert decided.office == "market-regulation"
    assert "消费者权益保护法" in decided.reasons[1]["legal_basis"]


def test_wage_arrears_of_a_group_get_a_panel(rules: TypeRules, catalog: Catalog) -> None:
    decided = triage(
        rules, catalog, dispute("包工头拖欠工资", "工友们被拖欠工资三个月", area=Area.labour_social_security)
    )
    assert decided.mediation_type is MediationType.administrative
    assert decided.office == "human-resources"
    assert decided.panel
    assert decided.reasons[-1]["code"] == "panel"


def test_a_case_sent_by_the_court_is_judicial_mediation(rules: TypeRules, catalog: Catalog) -> None:
    decided = triage(rules, catalog, dispute("离婚财产分割", "已向法院起诉，法院委派诉前调解", area=Area.politics_law))
    assert decided.mediation_type is MediationType.judicial
    assert decided.office == "court"
    assert decided.office_name == "深圳市光明区人民法院"


def test_urgent_cluster_or_repeat_cases_get_a_panel(rules: TypeRules, catalog: Catalog) -> None:
    for extra in ({"urgent": True}, {"cluster_id": "c-1"}, {"repeat_of": "g-0"}):
        assert triage(rules, catalog, dispute("邻居漏水", "楼上漏水", **extra)).panel


def test_unknown_street_falls_back_to_the_district_committee(rules: TypeRules, catalog: Catalog) -> None:
    decided = triage(rules, catalog, dispute("邻居漏水", "楼上漏水", street=None))
    assert decided.office == "justice"
    assert decided.office_name == "光明区人民调解委员会"


def test_kind_with_no_keywords_is_other(rules: TypeRules) -> None:
    kind, hits = classify_kind(rules, dispute("一般纠纷", "双方有些矛盾", area=Area.environmental_protection))
    assert kind is DisputeKind.other
    assert hits == []


def test_rules_are_configurable_by_data_file(catalog: Catalog, tmp_path: Path) -> None:
    raw = yaml.safe_load((Path(__file__).parents[3] / "services/mediation/data/type_rules.yaml").read_text("utf-8"))
    # A bureau decides that neighbour disputes go to the court's mediators instead.
    raw["rules"].insert(
        0,
        {
            "code": "neighbour_court",
            "description": "试点",
            "type": "judicial",
            "kinds": ["neighbour"],
            "office": "court",
        },
    )
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    custom = load_type_rules(catalog, path)
    decided = triage(custom, catalog, dispute("楼上噪音", "邻居噪音"))
    assert decided.mediation_type is MediationType.judicial
    assert decided.office == "court"


def test_failure_routes_never_lead_back_to_mediation(rules: TypeRules) -> None:
    for kind in DisputeKind:
        route = rules.failure_route(kind)
        assert route.to_track is not Track.mediation
        assert route.routes_zh
    assert "劳动仲裁" in "".join(rules.failure_route(DisputeKind.labour).routes_zh)


def test_bad_rule_files_are_refused(catalog: Catalog) -> None:
    raw = yaml.safe_load((Path(__file__).parents[3] / "services/mediation/data/type_rules.yaml").read_text("utf-8"))
    unknown_office = {**raw, "rules": [{**raw["rules"][0], "office": "no-such-office"}]}
    with pytest.raises(KeyError):
        parse_type_rules(unknown_office, catalog)
    unknown_type = {**raw, "default_type": "arbitration"}
    with pytest.raises(ValidationError):
        parse_type_rules(unknown_type, catalog)
    back_to_mediation = {
        **raw,
        "failure_routes": {**raw["failure_routes"], "other": {"to_track": "mediation", "routes": ["x"]}},
    }
    with pytest.raises(ValidationError):
        parse_type_rules(back_to_mediation, catalog)
