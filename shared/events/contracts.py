"""Event payloads exchanged between services, versioned in their CloudEvents type.

Rules: additive changes only within a version; consumers ignore fields they do not know
(``extra="ignore"``); payloads never carry raw phone or ID-card numbers (masked forms and keyed
pseudonyms only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events import topics
from shared.events.vocabulary import Area, Channel, PetitionKind, Rating, Status, Track

TYPE_PREFIX = "cn.gov.guangming.grievance."


class EventPayload(BaseModel):
    """Base of every payload: ``event_type`` names the CloudEvents type, ``topic`` its home."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]


# ---------------------------------------------------------------------------------------------
# Intake
# ---------------------------------------------------------------------------------------------


class ComplainantView(BaseModel):
    """The complainant as other services may see them: masked, plus pseudonyms for matching."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name_masked: str
    phone_masked: str | None = None
    id_card_masked: str | None = None
    # HMAC-SHA256 of the normalised identifier under a key only intake holds: equal for the same
    # person, useless for finding out who that is.
    phone_pseudonym: str | None = None
    id_card_pseudonym: str | None = None
    anonymous: bool = False
    # Only while intake rotates its pseudonym key: the same identifiers under the keys being
    # retired, so a grievance filed now still matches earlier ones not yet rotated.
    previous_phone_pseudonyms: list[str] = Field(default_factory=list)
    previous_id_card_pseudonyms: list[str] = Field(default_factory=list)


class GrievanceReceived(EventPayload):
    event_type: ClassVar[str] = TYPE_PREFIX + "received.v1"
    topic: ClassVar[str] = topics.GRIEVANCE_RECEIVED

    grievance_id: str
    tracking_no: str
    # SHA-256 of the citizen's secret tracking token: lets feedback and the handlers check the
    # token for status and documents without ever seeing it.
    tracking_token_hash: str
    channel: Channel
    received_at: datetime
    title: str
    content: str
    street: str | None = None
    community: str | None = None
    address: str | None = None
    respondent: str | None = None
    desired_outcome: str | None = None
    attachments: list[str] = Field(default_factory=list)
    complainant: ComplainantView
    external_ref: str | None = None
    registered_by: str | None = None
    # The category the filer picked (Open311 service_code, one of the areas): a hint, the router decides.
    category_hint: str | None = None


class FiledGrievance(BaseModel):
    """The grievance as filed (masked at intake), as the handlers keep it and show it to
    departments: the fields of :class:`GrievanceReceived` they extend, in their own order.

    GrievanceReceived declares the same fields itself, because the order of the fields is the
    order of the keys on the wire; tests/unit/shared/test_filed_grievance.py keeps them equal.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    title: str
    content: str
    channel: str
    received_at: datetime
    street: str | None = None
    community: str | None = None
    address: str | None = None
    respondent: str | None = None
    desired_outcome: str | None = None
    attachments: list[str] = Field(default_factory=list)

    @staticmethod
    def fields_of(grievance: GrievanceReceived | FiledGrievance) -> dict[str, Any]:
        """The filed fields of a grievance, to build a FiledGrievance or one of its extensions."""
        return {name: getattr(grievance, name) for name in FiledGrievance.model_fields}


class ComplainantPseudonymsRotated(EventPayload):
    """Intake recomputed one grievance's complainant pseudonyms under a new pseudonym key.

    Published per grievance by ``python -m services.intake.cli.keys rotate-pseudonyms``, keyed by the
    grievance id; readers holding pseudonyms (the router's repeat matching) replace the previous
    values with the new ones. None means the identifier is not known (any more) under the new key.
    """

    event_type: ClassVar[str] = TYPE_PREFIX + "pseudonyms.rotated.v1"
    topic: ClassVar[str] = topics.GRIEVANCE_PSEUDONYM

    grievance_id: str
    key_id: str
    phone_pseudonym: str | None = None
    id_card_pseudonym: str | None = None
    previous_key_id: str
    previous_phone_pseudonym: str | None = None
    previous_id_card_pseudonym: str | None = None
    rotated_at: datetime


# ---------------------------------------------------------------------------------------------
# Router
# ---------------------------------------------------------------------------------------------


class Reason(BaseModel):
    """One piece of an explanation: a matched rule with its legal basis, or a model feature."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: Literal["rule", "model", "repeat", "cluster", "reviewer", "catalog"]
    code: str
    description: str
    legal_basis: str | None = None
    weight: float | None = None


class Departments(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    lead: str
    co: list[str] = Field(default_factory=list)


class RoutingDecision(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    track: Track
    petition_kind: PetitionKind | None = None
    area: Area
    departments: Departments
    urgent: bool = False
    urgent_signals: list[str] = Field(default_factory=list)
    repeat_of: str | None = None
    cluster_id: str | None = None
    confidence: float = Field(ge=0, le=1)
    reasons: list[Reason] = Field(default_factory=list)
    needs_review: bool = False
    decided_by: Literal["classifier", "reviewer", "reroute"] = "classifier"
    # Added within v1 (optional, so decisions published before them still parse): the taxonomy's
    # 二级 category of ``area``, its 三级 item when the classifier is confident, and the model.
    category: str | None = Field(default=None, description="二级分类 within the area (shared/catalog/taxonomy.tsv)")
    item: str | None = Field(default=None, description="三级分类 within the category; only when confident")
    model_version: str | None = Field(
        default=None, description="version of the classifier model behind the decision (also for reviewer decisions)"
    )


class GrievanceRouted(EventPayload):
    event_type: ClassVar[str] = TYPE_PREFIX + "routed.v1"
    topic: ClassVar[str] = topics.GRIEVANCE_ROUTED

    grievance_id: str
    tracking_no: str
    revision: int = Field(ge=1, description="1 for the first decision, +1 for every re-route")
    decision: RoutingDecision
    routed_at: datetime


class TrackHandoff(EventPayload):
    """What a handler service receives: the grievance as filed plus the routing decision.

    Published on ``grievance.track.<track>``; use :func:`track_topic` for the topic.
    """

    event_type: ClassVar[str] = TYPE_PREFIX + "track.handoff.v1"
    topic: ClassVar[str] = topics.GRIEVANCE_TRACK_PETITION  # overridden per track when publishing

    grievance: GrievanceReceived
    decision: RoutingDecision
    revision: int = Field(ge=1)
    handed_off_at: datetime


class ReviewRequested(EventPayload):
    """A routing decision waits for a human reviewer (low confidence or returned by a department)."""

    event_type: ClassVar[str] = TYPE_PREFIX + "review.requested.v1"
    topic: ClassVar[str] = topics.GRIEVANCE_REVIEW

    grievance_id: str
    tracking_no: str
    reason: str
    proposed: RoutingDecision | None = None
    requested_at: datetime


class RerouteRequested(EventPayload):
    """A handler gives a grievance back to the router: a department returned it (退单), a
    mediation failed and must continue on another track, or a reopened case changes hands."""

    event_type: ClassVar[str] = TYPE_PREFIX + "reroute.requested.v1"
    topic: ClassVar[str] = topics.GRIEVANCE_REROUTE

    grievance_id: str
    tracking_no: str
    reason: Literal["returned_by_department", "mediation_failed", "mediation_refused", "reopened", "other"]
    from_track: Track
    to_track: Track | None = None
    excluded_departments: list[str] = Field(default_factory=list)
    detail: str = ""
    requested_by: str
    requested_at: datetime


class UrgentAlertRaised(EventPayload):
    """Imminent risk (self-harm, planned gathering, violence, structural danger, gas leak)."""

    event_type: ClassVar[str] = TYPE_PREFIX + "alert.raised.v1"
    topic: ClassVar[str] = topics.GRIEVANCE_ALERT

    grievance_id: str
    tracking_no: str
    signals: list[str]
    street: str | None = None
    area: Area | None = None
    category: str | None = Field(default=None, description="二级分类 within the area (added within v1)")
    lead_department: str | None = None
    summary: str
    raised_at: datetime


# ---------------------------------------------------------------------------------------------
# Status: the citizen's timeline, produced by every service, consumed by feedback
# ---------------------------------------------------------------------------------------------


class DocumentRef(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: str  # e.g. acceptance_notice, reply_opinion, agreement
    title: str
    url: str


# Where on its way the grievance is when its status changes (the timeline groups by it).
Stage = Literal["intake", "routing", "review", "casework", "litigation", "mediation", "feedback"]


# Services build it with shared.events.citizen_status.citizen_status (no docstring here: it
# would become the message's summary in docs/asyncapi.yaml).
class GrievanceStatusChanged(EventPayload):
    event_type: ClassVar[str] = TYPE_PREFIX + "status.changed.v1"
    topic: ClassVar[str] = topics.GRIEVANCE_STATUS

    grievance_id: str
    tracking_no: str
    status: Status
    stage: Stage
    message_zh: str
    detail: dict[str, Any] = Field(default_factory=dict)
    actor: str  # an office, never a person's data
    due_at: datetime | None = None
    documents: list[DocumentRef] = Field(default_factory=list)
    occurred_at: datetime


# ---------------------------------------------------------------------------------------------
# Citizen actions relayed by feedback to whichever service handles the grievance
# ---------------------------------------------------------------------------------------------


class RatingSubmitted(EventPayload):
    """回访: the citizen rated the handling; 不满意 within the review window asks for 重办."""

    event_type: ClassVar[str] = TYPE_PREFIX + "rating.submitted.v1"
    topic: ClassVar[str] = topics.GRIEVANCE_FEEDBACK

    grievance_id: str
    tracking_no: str
    rating: Rating
    comment: str = ""
    reopen_requested: bool = False
    submitted_at: datetime


class CitizenReviewRequested(EventPayload):
    """The citizen asks for 复查 (§35) or 复核 (§36) of a reply."""

    event_type: ClassVar[str] = TYPE_PREFIX + "citizen.review.requested.v1"
    topic: ClassVar[str] = topics.GRIEVANCE_FEEDBACK

    grievance_id: str
    tracking_no: str
    level: Literal["review", "re_review"]
    reason: str
    requested_at: datetime


PAYLOADS: tuple[type[EventPayload], ...] = (
    GrievanceReceived,
    ComplainantPseudonymsRotated,
    GrievanceRouted,
    TrackHandoff,
    ReviewRequested,
    RerouteRequested,
    UrgentAlertRaised,
    GrievanceStatusChanged,
    RatingSubmitted,
    CitizenReviewRequested,
)
PAYLOAD_BY_TYPE: dict[str, type[EventPayload]] = {p.event_type: p for p in PAYLOADS}


def track_topic(track: Track) -> str:
    return topics.track_topic(track.value)
