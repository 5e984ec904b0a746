"""The words of the mediation service, one identifier per term (DESIGN §9), glossed once."""

from __future__ import annotations

from enum import StrEnum


class MediationType(StrEnum):
    people = "people"  # 人民调解: the community/street people's mediation committee
    administrative = "administrative"  # 行政调解: the competent department
    judicial = "judicial"  # 司法调解: with the court (诉前/诉中调解)


MEDIATION_TYPE_ZH = {
    MediationType.people: "人民调解",
    MediationType.administrative: "行政调解",
    MediationType.judicial: "司法调解",
}


class DisputeKind(StrEnum):
    labour = "labour"  # 劳动争议 (wage arrears not yet arbitrated, injury compensation)
    property = "property"  # 物业、租赁、房屋纠纷
    family = "family"  # 婚姻家庭、赡养、继承纠纷
    neighbour = "neighbour"  # 邻里纠纷 (noise, leaks, shared space)
    consumer = "consumer"  # 消费纠纷 (refunds, prepaid cards)
    other = "other"  # none of the above: any mediator may take it


DISPUTE_KIND_ZH = {
    DisputeKind.labour: "劳动争议",
    DisputeKind.property: "物业租赁纠纷",
    DisputeKind.family: "婚姻家庭纠纷",
    DisputeKind.neighbour: "邻里纠纷",
    DisputeKind.consumer: "消费纠纷",
    DisputeKind.other: "其他民间纠纷",
}

# The skills a mediator can declare are the dispute kinds other than "other".
SKILLS = frozenset(DisputeKind) - {DisputeKind.other}


class MediatorKind(StrEnum):
    party_member = "party_member"  # 社区党员
    wulao_volunteer = "wulao_volunteer"  # "五老"志愿者 (老干部、老战士、老专家、老教师、老模范)
    lawyer = "lawyer"  # 律师 (incl. the court's 特邀调解员)
    department_staff = "department_staff"  # 部门工作人员


MEDIATOR_KIND_ZH = {
    MediatorKind.party_member: "社区党员",
    MediatorKind.wulao_volunteer: "“五老”志愿者",
    MediatorKind.lawyer: "律师",
    MediatorKind.department_staff: "部门工作人员",
}


class Party(StrEnum):
    applicant = "applicant"  # 申请人: the citizen who filed the grievance
    respondent = "respondent"  # 被申请人: the other side of the dispute


PARTY_ZH = {Party.applicant: "申请人", Party.respondent: "被申请人"}


class Outcome(StrEnum):
    agreement = "agreement"  # 达成调解协议
    failure = "failure"  # 调解不成 (人民调解法 §26)
    refusal = "refusal"  # 当事人不同意调解 (人民调解法 §17)
    withdrawal = "withdrawal"  # 申请人撤回


class State(StrEnum):
    opened = "opened"  # case opened, mediator(s) assigned, waiting for acceptance
    accepted = "accepted"  # a mediator accepted; asking the parties for consent
    in_mediation = "in_mediation"  # every party consented; mediation under way
    scheduled = "scheduled"  # a session (调解会) is scheduled
    agreed = "agreed"  # agreement signed; waiting for the performance follow-up
    failed = "failed"  # no agreement; re-routed
    refused = "refused"  # a party refused mediation; re-routed
    withdrawn = "withdrawn"  # the applicant withdrew
    closed = "closed"  # the follow-up check is done


STATE_ZH = {
    State.opened: "待受理",
    State.accepted: "已受理，征求双方同意",
    State.in_mediation: "调解中",
    State.scheduled: "已安排调解会",
    State.agreed: "已达成调解协议",
    State.failed: "调解不成，已转出",
    State.refused: "当事人不同意调解，已转出",
    State.withdrawn: "申请人已撤回",
    State.closed: "已结案",
}


class AssignmentRole(StrEnum):
    lead = "lead"  # 主持调解员
    member = "member"  # 三人小组成员


class SessionState(StrEnum):
    scheduled = "scheduled"
    held = "held"
    cancelled = "cancelled"  # the case ended before the session was held


SESSION_STATE_ZH = {SessionState.scheduled: "待召开", SessionState.held: "已召开", SessionState.cancelled: "已取消"}
