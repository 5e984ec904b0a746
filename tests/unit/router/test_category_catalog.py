"""The department catalogue routes every (area, category) of the taxonomy to an existing
department, category entries override the area's lead and items their category, and the chooser
and the reviewer's category check follow it."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from services.router.classifier.departments import DepartmentChooser
from services.router.classifier.taxonomy import load_taxonomy
from services.router.domain import messages
from services.router.domain.errors import InvalidDecision
from services.router.domain.review_rules import checked_category
from services.router.schemas import ReviewDecisionCreate
from shared.catalog import _parse, load_catalog, load_taxonomy_entries
from shared.events.contracts import Departments, RoutingDecision
from shared.events.vocabulary import Area, PetitionKind, Street, Track

CATALOG = load_catalog()
TAXONOMY = load_taxonomy()
URBAN = Area.urban_rural_construction


def test_every_category_and_item_of_the_taxonomy_resolves_to_an_existing_department() -> None:
    assert len(TAXONOMY.categories) == 118 and TAXONOMY.item_count() == 517
    for area_name, category in TAXONOMY.categories:
        area = Area(area_name)
        for item in (None, *TAXONOMY.items[(area_name, category)]):
            route = CATALOG.route_for(area, category, item)
            for code in (route.lead, *route.co):
                assert code in CATALOG.departments, (area_name, category, item, code)
            assert route.lead not in route.co


def test_every_route_names_a_real_category_item_and_department() -> None:
    for area, category in CATALOG.category_routes:
        assert TAXONOMY.has_category(area.value, category), (area, category)
    for area, category, item in CATALOG.item_routes:
        assert TAXONOMY.has_item(area.value, category, item), (area, category, item)
    named = {
        code for r in [*CATALOG.category_routes.values(), *CATALOG.item_routes.values()] for code in (r.lead, *r.co)
    }
    assert named <= set(CATALOG.departments)
    assert len(load_taxonomy_entries()) == 517


@pytest.mark.parametrize(
    ("area", "category", "item", "lead"),
    [
        (URBAN, "城市建设和市政管理", "城管执法", "urban-management"),
        (URBAN, "城市建设和市政管理", "环境卫生", "urban-management"),
        (URBAN, "城市建设和市政管理", "自来水供应", "water"),
        (URBAN, "城市建设和市政管理", "电力供应", "power-supply"),
        (URBAN, "城市建设和市政管理", "燃气供应", "housing"),
        (URBAN, "国有土地上房屋征收与补偿", None, "urban-renewal"),
        (URBAN, "集体土地上房屋拆迁与补偿", "安置补偿", "urban-renewal"),
        (URBAN, "住房保障与房地产", "物业服务", "housing"),  # not listed: the area's lead
        (Area.labour_social_security, "城镇职工社会保险", "职工医疗保险", "medical-security"),
        (Area.labour_social_security, "城镇职工社会保险", "职工养老保险", "human-resources"),
        (Area.health_family_planning, "食品药品监管", "食品安全", "market-regulation"),
        (Area.commerce_tourism, "商业贸易", "进出口管理", "industry-it"),
        (Area.commerce_tourism, "商业贸易", "市场垄断", "market-regulation"),
    ],
)
def test_category_and_item_entries_override_the_area_lead(
    area: Area, category: str, item: str | None, lead: str
) -> None:
    assert CATALOG.route_for(area, category, item).lead == lead


def test_a_catalog_naming_a_category_the_taxonomy_lacks_fails_at_load() -> None:
    raw = yaml.safe_load(resources.files("shared.catalog").joinpath("departments.yaml").read_text("utf-8"))
    raw["category_routes"]["城乡建设"]["停电停水"] = {"lead": "housing"}
    with pytest.raises(ValueError, match="停电停水"):
        _parse(raw, load_taxonomy_entries())
    raw["category_routes"]["城乡建设"] = {"安全生产": {"lead": "no-such-department"}}
    with pytest.raises(KeyError, match="no-such-department"):
        _parse(raw, load_taxonomy_entries())


def _choose(chooser: DepartmentChooser, **overrides: object) -> Departments:
    arguments: dict[str, object] = dict(
        track=Track.petition, area=URBAN, petition_kind=PetitionKind.claim, street=Street.fenghuang,
        legal_body_scores={}, department_hints={},
    )  # fmt: skip
    arguments.update(overrides)
    return chooser.choose(**arguments).departments  # type: ignore[arg-type]


def test_the_chooser_dispatches_by_item_then_category_then_area() -> None:
    chooser = DepartmentChooser.load(CATALOG)
    power = _choose(chooser, category="城市建设和市政管理", item="电力供应")
    assert power.lead == "power-supply"
    assert power.co == ["street-fenghuang", "development-reform"]
    assert _choose(chooser, category="城市建设和市政管理", item=None).lead == "urban-management"
    assert _choose(chooser).lead == "housing"  # no category: as before the taxonomy
    # a department that returned the case (退单) is not chosen again: the area decides among the rest
    returned = _choose(chooser, category="城市建设和市政管理", item="电力供应", excluded=frozenset({"power-supply"}))
    assert returned.lead == "housing"
    reasons = chooser.choose(
        track=Track.petition, area=URBAN, petition_kind=PetitionKind.claim, street=None, legal_body_scores={},
        department_hints={}, category="城市建设和市政管理", item="电力供应",
    ).reasons  # fmt: skip
    assert "城乡建设／城市建设和市政管理／电力供应" in reasons[0].description


def _proposal(category: str | None) -> RoutingDecision:
    return RoutingDecision(
        track=Track.petition, petition_kind=PetitionKind.claim, area=URBAN, category=category,
        departments=Departments(lead="housing"), confidence=0.5,
    )  # fmt: skip


def _command(area: str, category: str | None = None, item: str | None = None) -> ReviewDecisionCreate:
    return ReviewDecisionCreate.model_validate(
        {
            "track": "petition",
            "petition_kind": "claim",
            "area": area,
            "category": category,
            "item": item,
            "comment": "核实后决定",
        }
    )


def _check(command: ReviewDecisionCreate, proposal: RoutingDecision) -> tuple[str | None, str | None]:
    return checked_category(command.area, command.category, command.item, proposal)


@pytest.mark.parametrize(
    ("area", "category", "item", "field", "says"),
    [
        ("城乡建设", "环境污染", None, "category", "环境保护"),
        ("城乡建设", "没有的分类", None, "category", "不在分类体系中"),
        ("城乡建设", "城乡规划", "电力供应", "item", "城乡规划"),
        ("城乡建设", None, "电力供应", "item", "二级分类"),
    ],
)
def test_a_wrong_category_or_item_is_refused_naming_the_field(
    area: str, category: str | None, item: str | None, field: str, says: str
) -> None:
    with pytest.raises(InvalidDecision) as raised:
        _check(_command(area, category, item), _proposal("城市建设和市政管理"))
    assert raised.value.field == field and says in raised.value.message_zh


def test_without_a_category_the_proposal_holds_for_its_own_area_only() -> None:
    proposal = _proposal("城市建设和市政管理")
    assert _check(_command("城乡建设"), proposal) == ("城市建设和市政管理", None)
    assert _check(_command("民政"), proposal) == (None, None)
    assert _check(_command("民政", "优抚", "其他"), proposal) == ("优抚", "其他")


def test_the_classified_message_names_area_and_category_but_no_mediator() -> None:
    names = {code: d.name for code, d in CATALOG.departments.items()}
    decision = _proposal("住房保障与房地产").model_copy(
        update={"track": Track.mediation, "petition_kind": None, "departments": Departments(lead="housing")}
    )
    message = messages.classified_message(decision, names, repeat_tracking_no=None, reviewed=False)
    assert "已归类为：城乡建设 / 住房保障与房地产" in message
    assert names["housing"] not in message
    assert "已归类为" not in messages.classified_message(
        _proposal(None), names, repeat_tracking_no=None, reviewed=False
    )
