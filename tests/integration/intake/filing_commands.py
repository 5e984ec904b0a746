"""A portal filing as intake's use case takes it, for the tests that call the use case directly."""

from __future__ import annotations

from services.intake.domain.complainant import ComplainantIdentity
from services.intake.handlers.submission import SubmitGrievance
from shared.events.vocabulary import Channel

MOBILE = "13912345678"


def portal_command(**changes: object) -> SubmitGrievance:
    values: dict[str, object] = {
        "identity": ComplainantIdentity(name="陈建国", mobile=MOBILE, id_card=None, anonymous=False),
        "channel": Channel.portal,
        "title": "门口积水",
        "content": f"门口积水很久了，请联系我 {MOBILE}。",
        "street": "马田街道",
        "community": "将石",
    }
    return SubmitGrievance(**{**values, **changes})  # type: ignore[arg-type]
