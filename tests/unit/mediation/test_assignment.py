"""Picking mediators and panels: skill, street, load, conflicts of interest (回避)."""

from __future__ import annotations

from services.mediation.domain.roster import PANEL_SIZE, CaseNeeds, Mediator, check_chosen, select
from services.mediation.domain.vocabulary import DisputeKind, MediatorKind

K = DisputeKind
GM, XH = "公明街道", "新湖街道"
OFFICE = "street-gongming"


def mediator(
    id: str,
    *,
    street: str = GM,
    office: str = OFFICE,
    kind: MediatorKind = MediatorKind.party_member,
    skills: tuple[DisputeKind, ...] = (K.neighbour,),
    capacity: int = 5,
    conflicts: tuple[str, ...] = (),
    active: bool = True,
    account: bool = True,
) -> Mediator:
    return Mediator(
        id=id,
        name=f"调解员{id}",
        street=street,
        office=office,
        kind=kind,
        skills=frozenset(skills),
        capacity=capacity,
        subject=f"mediator.{id}" if account else None,
        conflict_respondents=conflicts,
        active=active,
    )


def needs(kind: DisputeKind = K.neighbour, *, panel: bool = False, street: str = GM, **extra: object) -> CaseNeeds:
    return CaseNeeds(street=street, office=OFFICE, kind=kind, panel=panel, **extra)  # type: ignore[arg-type]


def test_picks_a_mediator_with_the_skill() -> None:
    roster = [mediator("a", skills=(K.family,)), mediator("b", skills=(K.labour, K.neighbour))]
    assert select(roster, {}, needs(K.neighbour)).lead.id == "b"  # type: ignore[union-attr]
    assert select(roster, {}, needs(K.family)).lead.id == "a"  # type: ignore[union-attr]


def test_other_disputes_accept_any_mediator() -> None:
    roster = [mediator("a", skills=(K.family,))]
    assert select(roster, {}, needs(K.other)).lead.id == "a"  # type: ignore[union-attr]


def test_prefers_the_disputes_street_then_the_district() -> None:
    roster = [mediator("far", street=XH), mediator("near", street=GM)]
    # "near" carries more cases but is in the street: the street wins over load.
    chosen = select(roster, {"near": 4, "far": 0}, needs())
    assert chosen.lead.id == "near"  # type: ignore[union-attr]
    only_far = select([mediator("far", street=XH)], {}, needs())
    assert only_far.lead.id == "far"  # type: ignore[union-attr]
    assert only_far.notes, "falling back to another street is explained"


def test_only_the_responsible_office_leads() -> None:
    roster = [mediator("dept", office="market-regulation"), mediator("street")]
    assert select(roster, {}, needs()).lead.id == "street"  # type: ignore[union-attr]
    nobody = select([mediator("dept", office="market-regulation")], {}, needs())
    assert nobody.lead is None
    assert nobody.shortfall == "no_mediator"


def test_volunteers_without_an_account_sit_on_panels_but_never_lead() -> None:
    roster = [
        mediator("volunteer", kind=MediatorKind.wulao_volunteer, account=False),
        mediator("staff"),
        mediator("lawyer", kind=MediatorKind.lawyer),
    ]
    # The volunteer carries nothing and would win on load, yet cannot lead.
    single = select(roster, {"staff": 4, "lawyer": 4}, needs())
    assert single.lead.id != "volunteer"  # type: ignore[union-attr]
    panel = select(roster, {"staff": 4, "lawyer": 4}, needs(panel=True))
    assert "volunteer" in [m.id for m in panel.members]
    assert select([roster[0]], {}, needs()).shortfall == "no_mediator"


def test_panel_members_come_from_the_office_or_the_streets_committee() -> None:
    roster = [
        mediator("lead", office="human-resources", kind=MediatorKind.department_staff),
        mediator("court-staff", office="court", kind=MediatorKind.lawyer),
        mediator("committee-lawyer", kind=MediatorKind.lawyer),
        mediator("committee-wulao", kind=MediatorKind.wulao_volunteer, account=False),
    ]
    case = CaseNeeds(
        street=GM,
        office="human-resources",
        kind=K.neighbour,
        panel=True,
        member_offices=frozenset({"human-resources", OFFICE}),
    )
    chosen = select(roster, {}, case)
    assert [m.id for m in chosen.everyone] == ["lead", "committee-lawyer", "committee-wulao"]


def test_lightest_load_per_capacity_wins() -> None:
    roster = [mediator("busy", capacity=5), mediator("idle", capacity=5), mediator("big", capacity=20)]
    assert select(roster, {"busy": 3, "idle": 1, "big": 3}, needs()).lead.id == "big"  # type: ignore[union-attr]
    assert select(roster, {"busy": 3, "idle": 1, "big": 8}, needs()).lead.id == "idle"  # type: ignore[union-attr]


def test_never_picks_a_mediator_tied_to_the_respondent() -> None:
    roster = [mediator("tied", conflicts=("明辉物业",)), mediator("free")]
    chosen = select(roster, {"free": 4}, needs(respondent="深圳市明辉物业管理有限公司"))
    assert chosen.lead.id == "free"  # type: ignore[union-attr]


def test_never_picks_a_mediator_who_recused_or_is_excluded_or_inactive() -> None:
    roster = [mediator("recused"), mediator("current"), mediator("gone", active=False), mediator("ok")]
    loads = {"ok": 4}
    chosen = select(roster, loads, needs(recused=frozenset({"recused"}), exclude=frozenset({"current"})))
    assert chosen.lead.id == "ok"  # type: ignore[union-attr]


def test_a_panel_has_three_distinct_skilled_people_of_the_street_and_mixed_kinds() -> None:
    roster = [
        mediator("lead", kind=MediatorKind.party_member),
        mediator("pm2", kind=MediatorKind.party_member),
        mediator("lawyer", kind=MediatorKind.lawyer, office="justice"),
        mediator("wulao", kind=MediatorKind.wulao_volunteer),
        mediator("unskilled", kind=MediatorKind.lawyer, skills=(K.family,)),
        mediator("elsewhere", kind=MediatorKind.lawyer, street=XH),
    ]
    chosen = select(roster, {"pm2": 0, "lead": 0}, needs(panel=True))
    assert chosen.shortfall is None
    ids = [m.id for m in chosen.everyone]
    assert len(ids) == PANEL_SIZE == len(set(ids))
    assert ids[0] == "lead"
    # A lawyer and a 五老 volunteer beside the party member, rather than a second party member.
    assert set(ids[1:]) == {"lawyer", "wulao"}
    assert "unskilled" not in ids
    assert "elsewhere" not in ids


def test_panel_members_are_chosen_by_load_within_a_kind() -> None:
    roster = [
        mediator("lead"),
        mediator("lawyer-busy", kind=MediatorKind.lawyer),
        mediator("lawyer-free", kind=MediatorKind.lawyer),
        mediator("wulao", kind=MediatorKind.wulao_volunteer),
    ]
    chosen = select(roster, {"lawyer-busy": 4, "lawyer-free": 1}, needs(panel=True))
    assert {m.id for m in chosen.members} == {"lawyer-free", "wulao"}


def test_panel_never_includes_a_conflicted_member() -> None:
    roster = [
        mediator("lead"),
        mediator("tied", kind=MediatorKind.lawyer, conflicts=("明辉物业",)),
        mediator("a", kind=MediatorKind.wulao_volunteer),
        mediator("b", kind=MediatorKind.party_member),
    ]
    chosen = select(roster, {}, needs(panel=True, respondent="明辉物业"))
    assert "tied" not in [m.id for m in chosen.everyone]
    assert len(chosen.everyone) == PANEL_SIZE


def test_an_incomplete_panel_is_reported_not_padded() -> None:
    roster = [mediator("lead"), mediator("one", kind=MediatorKind.lawyer), mediator("x", skills=(K.family,))]
    chosen = select(roster, {}, needs(panel=True))
    assert chosen.shortfall == "panel_incomplete"
    assert [m.id for m in chosen.everyone] == ["lead", "one"]


def test_a_supervisors_choice_is_refused_when_conflicted_duplicated_or_badly_sized() -> None:
    tied = mediator("tied", conflicts=("明辉物业",))
    free = mediator("free")
    case = needs(respondent="明辉物业")
    assert check_chosen([free], case) == []
    assert any("利害关系" in p for p in check_chosen([tied], case))
    assert check_chosen([free, free, mediator("c")], case)
    assert check_chosen([free, mediator("c")], case), "two people are neither one mediator nor a panel"
    assert check_chosen([mediator("old", active=False)], case)


def test_packaged_roster_forms_a_full_panel_in_every_street_for_every_skill(packaged_roster: list[Mediator]) -> None:
    streets = {m.street for m in packaged_roster}
    assert len(streets) == 6
    for street in streets:
        office = next(m.office for m in packaged_roster if m.street == street and m.office.startswith("street-"))
        for kind in (K.labour, K.property, K.family, K.neighbour, K.consumer):
            case = CaseNeeds(street=street, office=office, kind=kind, panel=True, member_offices=frozenset({office}))
            chosen = select(packaged_roster, {}, case)
            assert chosen.shortfall is None, (street, kind, chosen.notes)
            assert chosen.lead is not None and chosen.lead.can_lead
            assert all(m.can_handle(kind) and m.street == street for m in chosen.everyone)
