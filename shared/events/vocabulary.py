"""The shared words of the platform (DESIGN §1, §4, §9): one identifier per term, everywhere."""

from __future__ import annotations

from enum import StrEnum


class Track(StrEnum):
    litigation = "litigation"  # 涉法涉诉
    mediation = "mediation"  # 矛盾纠纷调解
    petition = "petition"  # 普通信访


class PetitionKind(StrEnum):
    suggestion = "suggestion"  # 建议意见 §29
    report = "report"  # 检举控告 §30
    claim = "claim"  # 申诉求决 §31


class Area(StrEnum):
    """The 15 responsibility areas (责任领域); values are the Chinese names used in data files."""

    urban_rural_construction = "城乡建设"
    rural_agriculture = "农村农业"
    politics_law = "政法"
    education_culture_sports = "教育文体"
    labour_social_security = "劳动和社会保障"
    civil_affairs = "民政"
    party_government_affairs = "党务政务"
    economic_management = "经济管理"
    health_family_planning = "卫生计生"
    commerce_tourism = "商贸旅游"
    environmental_protection = "环境保护"
    transport = "交通运输"
    discipline_inspection = "纪检监察"
    land_resources = "国土资源"
    technology_information = "科技与信息产业"


class Street(StrEnum):
    """The six subdistricts (街道) of 光明区."""

    guangming = "光明街道"
    gongming = "公明街道"
    xinhu = "新湖街道"
    fenghuang = "凤凰街道"
    yutang = "玉塘街道"
    matian = "马田街道"


class Channel(StrEnum):
    portal = "portal"  # citizen web/mobile portal
    walk_in = "walk_in"  # registered by staff at the reception hall (来访)
    hotline = "hotline"  # registered by staff from a phone call (来电)
    letter = "letter"  # registered by staff from a letter (来信)
    minyi = "minyi"  # the city's "@深圳-民意速办" platform, by webhook
    open311 = "open311"  # Open311 GeoReport v2 facade


class Status(StrEnum):
    """Every citizen-visible status, shared by all services (DESIGN §4)."""

    received = "received"
    classified = "classified"
    under_review = "under_review"
    urgent_alert = "urgent_alert"
    assigned = "assigned"
    signed_for = "signed_for"
    returned = "returned"
    accepted = "accepted"
    not_accepted = "not_accepted"
    transferred_legal = "transferred_legal"
    in_progress = "in_progress"
    extended = "extended"
    supervised = "supervised"
    replied = "replied"
    mediation_opened = "mediation_opened"
    mediation_scheduled = "mediation_scheduled"
    mediation_agreed = "mediation_agreed"
    mediation_failed = "mediation_failed"
    review_requested = "review_requested"
    review_decided = "review_decided"
    hearing_scheduled = "hearing_scheduled"  # 听证 scheduled (§31, §36); the clock is paused
    hearing_held = "hearing_held"  # 听证 held, the record complete; the clock runs again
    published = "published"  # a heard 复核 opinion made public (公示, §36), personal data masked
    rated = "rated"
    reopened = "reopened"
    closed = "closed"
    assistance_referred = "assistance_referred"  # 救助转介 (《信访工作条例》第三十七条)
    assistance_concluded = "assistance_concluded"  # the referral's outcome


class Rating(StrEnum):
    satisfied = "satisfied"  # 满意
    basically_satisfied = "basically_satisfied"  # 基本满意
    dissatisfied = "dissatisfied"  # 不满意


class Role(StrEnum):
    """Staff roles carried in the JWT ``role`` claim."""

    registrar = "registrar"  # registers walk-in, hotline and letter grievances
    reviewer = "reviewer"  # decides low-confidence routing
    department_officer = "department_officer"  # handles its own department's cases
    mediator = "mediator"
    supervisor = "supervisor"  # reads everything, supervises (督办), statistics
    admin = "admin"
