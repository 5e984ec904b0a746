"""The NOTIFY payload the timeline writer sends on commit and every API process decodes.

``"<grievance_id> <seq> <entry JSON>"``: the entry rides along so thousands of streams need no
database read per event. PostgreSQL caps a payload below 8000 bytes; a larger entry is announced
as ``"<grievance_id> <seq>"`` and the streams read it from the timeline table instead.

``"known <tracking_no>"``: the grievance became known (grievance.received was projected), so a
stream asked for before then, and held waiting (api/events.py), can now be opened. The first word
is never a grievance id (a UUID), and the second never a sequence number, so a process of an
earlier version ignores it.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PAYLOAD_BYTES = 7900


@dataclass(frozen=True, slots=True)
class TimelineNotice:
    grievance_id: str
    seq: int
    data: str | None  # the TimelineEntryRead JSON, None when it did not fit


@dataclass(frozen=True, slots=True)
class KnownNotice:
    tracking_no: str


KNOWN = "known"


def encode_known(tracking_no: str) -> str:
    return f"{KNOWN} {tracking_no}"


def encode_notice(grievance_id: str, seq: int, data: str) -> str:
    full = f"{grievance_id} {seq} {data}"
    if len(full.encode()) <= MAX_PAYLOAD_BYTES:
        return full
    return f"{grievance_id} {seq}"


def decode_notice(payload: str) -> TimelineNotice | KnownNotice | None:
    """The notice, or None for a payload this version cannot read (ignored, never fatal)."""
    parts = payload.split(" ", 2)
    if len(parts) == 2 and parts[0] == KNOWN and parts[1]:
        return KnownNotice(tracking_no=parts[1])
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    return TimelineNotice(grievance_id=parts[0], seq=int(parts[1]), data=parts[2] if len(parts) == 3 else None)
