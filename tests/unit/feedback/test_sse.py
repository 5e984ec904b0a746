"""The SSE wire format and the NOTIFY payload, both read back the way their readers read them."""

from __future__ import annotations

from services.feedback.stream.notices import (
    MAX_PAYLOAD_BYTES,
    KnownNotice,
    TimelineNotice,
    decode_notice,
    encode_known,
    encode_notice,
)
from services.feedback.stream.sse import Comment, ServerSentEvent, SseDecoder, comment_frame, event_frame, retry_frame


def test_frames_decode_as_an_event_source_reads_them() -> None:
    decoder = SseDecoder()
    stream = (
        retry_frame(3000)
        + event_frame(event_id=7, event="status", data='{"a":"一\\n二"}')
        + comment_frame("keep-alive")
    )
    # Fed in awkward pieces, as TCP delivers them.
    items = [item for i in range(0, len(stream), 5) for item in decoder.feed(stream[i : i + 5])]
    assert items == [ServerSentEvent(event="status", data='{"a":"一\\n二"}', id="7"), Comment("keep-alive")]
    assert decoder.retry_ms == 3000
    assert decoder.last_event_id == "7"


def test_multi_line_data_is_split_and_joined_back() -> None:
    frame = event_frame(event_id=1, event="status", data="line one\nline two")
    assert frame == b"id: 1\nevent: status\ndata: line one\ndata: line two\n\n"
    assert SseDecoder().feed(frame) == [ServerSentEvent(event="status", data="line one\nline two", id="1")]


def test_notice_carries_the_entry_when_it_fits() -> None:
    notice = decode_notice(encode_notice("g-1", 12, '{"message_zh":"已分派 办理"}'))
    assert isinstance(notice, TimelineNotice)
    assert (notice.grievance_id, notice.seq, notice.data) == ("g-1", 12, '{"message_zh":"已分派 办理"}')


def test_an_entry_too_large_for_notify_is_announced_without_it() -> None:
    huge = '{"message_zh":"' + "很" * MAX_PAYLOAD_BYTES + '"}'
    payload = encode_notice("g-1", 3, huge)
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES
    notice = decode_notice(payload)
    assert isinstance(notice, TimelineNotice)
    assert (notice.seq, notice.data) == (3, None)


def test_a_grievance_becoming_known_is_announced_by_its_tracking_number() -> None:
    assert decode_notice(encode_known("GM-20261207-000042")) == KnownNotice("GM-20261207-000042")
    # Never mistaken for an entry's notice, and an entry's notice never for it.
    assert decode_notice("known 12") == KnownNotice("12")
    assert decode_notice("known") is None
    assert decode_notice("known GM-20261207-000042 extra") is None


def test_unreadable_notices_are_ignored() -> None:
    assert decode_notice("") is None
    assert decode_notice("g-1 not-a-number {}") is None
