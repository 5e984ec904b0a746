"""Department choice from the catalog, repeat and cluster matching, citizen messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.router.classifier.departments import DepartmentChooser
from services.router.domain import matching, messages
from shared.catalog import load_catalog
from shared.events.contracts import Departments, RoutingDecision
from shared.events.vocabulary import Area, PetitionKind, Street, Track

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)


def chooser() -> DepartmentChooser:
    return DepartmentChooser.load(load_catalog())


def test_litigation_goes_to_the_legal_body_with_most_evidence() -> None:
    chosen = chooser().choose(
        track=Track.litigation, area=Area.politics_law, petition_kind=None, street=Street.gongming,
        legal_body_scores={"procuratorate": 2.5, "court": 1.0}, department_hints={},
    )  # fmt: skip
    assert chosen.departments.lead == "procuratorate"
    assert chosen.departments.co == []  # no street office on the litigation track


def test_litigation_defaults_to_the_court_and_skips_excluded_bodies() -> None:
    pick = chooser().choose(
        track=Track.litigation, area=Area.economic_management, petition_kind=None, street=None,
        legal_body_scores={}, department_hints={}, excluded=frozenset({"court"}),
    )  # fmt: skip
    assert pick.departments.lead == "procuratorate"


def test_area_department_hint_and_exclusion() -> None:
    pick = chooser().choose(
        track=Track.petition, area=Area.urban_rural_construction, petition_kind=PetitionKind.claim,
        street=Street.matian, legal_body_scores={}, department_hints={"urban-management": 1.0},
        excluded=frozenset({"urban-management"}),
    )  # fmt: skip
    assert pick.departments.lead == "housing"
    assert pick.departments.co == ["street-matian"]


def test_mentions_find_departments_by_their_everyday_names() -> None:
    assert chooser().mentioned("城管和住建局互相推，派出所也不管") == ("urban-management", "housing", "public-security")


def earlier(gid: str, text: str, days: int, area: str = "城乡建设", who: str | None = "p1") -> matching.Earlier:
    return matching.Earlier(gid, f"GM-{gid}", text, area, NOW - timedelta(days=days), complainant=who)


def test_repeat_links_to_the_first_similar_grievance() -> None:
    found = matching.find_repeat(
        "楼上卫生间漏水到我家天花板，找了物业三次都没人来修",
        "城乡建设",
        [
            earlier("g2", "楼上漏水到我家天花板，物业一直不来修", 5),
            earlier("g1", "楼上卫生间漏水，天花板都发黑了，物业不修", 30),
            earlier("g0", "小区门口的路灯坏了", 60),
        ],
        threshold=0.45,
    )
    assert found is not None
    assert found.earlier.grievance_id == "g1"


def test_different_matter_is_not_a_repeat() -> None:
    assert (
        matching.find_repeat("小区门口的路灯坏了好久", "城乡建设", [earlier("g1", "老板欠我工资不给", 3)], 0.45) is None
    )


def test_cluster_counts_distinct_complainants() -> None:
    text = "新湖圳美社区的工厂晚上排放刺鼻废气，熏得睡不着"
    neighbours = [
        earlier("g1", "圳美社区工厂晚上排废气，味道刺鼻睡不着", 1, who="p1"),
        earlier("g2", "圳美那边的工厂半夜排刺鼻的废气", 2, who="p2"),
        earlier("g3", "小区电梯坏了", 1, who="p3"),
    ]
    matches = matching.cluster_matches(text, neighbours, 0.4)
    assert {m.earlier.grievance_id for m in matches} == {"g1", "g2"}
    assert matching.distinct_complainants("p9", matches) == 3


def test_classified_message_names_the_departments() -> None:
    decision = RoutingDecision(
        track=Track.petition, petition_kind=PetitionKind.claim, area=Area.urban_rural_construction,
        departments=Departments(lead="housing", co=["street-guangming"]), confidence=0.9,
    )  # fmt: skip
    names = {d.code: d.name for d in load_catalog().departments.values()}
    message = messages.classified_message(decision, names, repeat_tracking_no="GM-20261120-000001", reviewed=False)
    assert message.startswith("您的诉求已分类为普通信访（申诉求决），已分派至光明区住房和建设局办理")
    assert "光明街道办事处" in message
    assert "GM-20261120-000001" in message
