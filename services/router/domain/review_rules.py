"""What a reviewer may decide: a petition kind only for petitions (§29–§31), a category and item
of the decided area's taxonomy, known departments, and a report (检举控告) never handed to the
unit it names (《信访工作条例》§30)."""

from __future__ import annotations

from services.router.classifier.departments import DepartmentChooser
from services.router.classifier.taxonomy import load_taxonomy
from services.router.domain.errors import InvalidDecision
from shared.catalog import Catalog
from shared.events.contracts import Departments, GrievanceReceived, RoutingDecision
from shared.events.vocabulary import Area, PetitionKind, Street, Track


def checked_kind(track: Track, kind: PetitionKind | None) -> PetitionKind | None:
    if track is Track.petition:
        if kind is None:
            raise InvalidDecision("petition_kind", "普通信访需要选择信访类别（建议意见、检举控告或申诉求决）")
        return kind
    if kind is not None:
        raise InvalidDecision("petition_kind", "只有普通信访才有信访类别")
    return None


def checked_category(
    area: Area, category: str | None, item: str | None, proposed: RoutingDecision
) -> tuple[str | None, str | None]:
    """The decided category and item, checked against the taxonomy for the decided area.

    Without a category the proposal's is kept when the area is unchanged (the reviewer confirmed
    it); with another area and no category, the decision has none rather than a wrong one."""
    if category is None:
        if item is not None:
            raise InvalidDecision("item", "选择三级分类前需要先选择二级分类")
        if area is proposed.area:
            return proposed.category, proposed.item
        return None, None
    taxonomy = load_taxonomy()
    if not taxonomy.has_category(area.value, category):
        owners = [a for a, c in taxonomy.categories if c == category]
        where = f"属于“{'、'.join(owners)}”，" if owners else "不在分类体系中，"
        raise InvalidDecision("category", f"二级分类“{category}”{where}不是“{area.value}”下的分类")
    if item is not None and not taxonomy.has_item(area.value, category, item):
        raise InvalidDecision("item", f"三级分类“{item}”不是“{area.value} / {category}”下的分类")
    return category, item


def chosen_departments(
    chooser: DepartmentChooser,
    catalog: Catalog,
    *,
    track: Track,
    area: Area,
    kind: PetitionKind | None,
    requested: Departments | None,
    received: GrievanceReceived,
    excluded: frozenset[str],
    category: str | None = None,
    item: str | None = None,
) -> Departments:
    """The reviewer's departments, checked; without any, the catalog's choice for the decision."""
    mentioned = chooser.mentioned(f"{received.title}。{received.content}")
    if requested is None:
        street = Street(received.street) if received.street in {s.value for s in Street} else None
        return chooser.choose(
            track=track,
            area=area,
            petition_kind=kind,
            street=street,
            legal_body_scores={},
            department_hints={},
            excluded=excluded,
            mentioned=mentioned,
            category=category,
            item=item,
        ).departments
    chosen = [requested.lead, *requested.co]
    unknown = [code for code in chosen if code not in catalog.departments]
    if unknown:
        raise InvalidDecision("departments", f"未知的单位代码：{'、'.join(unknown)}")
    if kind is PetitionKind.report:
        named = [code for code in chosen if code in mentioned]
        if named:
            # §30: the reporter's materials must never reach the reported unit
            raise InvalidDecision("departments", f"检举控告不得交由被反映单位办理：{'、'.join(named)}")
    co = [c for c in dict.fromkeys(requested.co) if c != requested.lead]
    return Departments(lead=requested.lead, co=co)
