"""Standard Webhooks: the specification's sample as a known answer, and the verification rules."""

import pytest

from shared.webhooks import WebhookVerificationError, sign, signed_headers, verify

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_known_answer() -> None:
    assert sign(SECRET, MSG_ID, TIMESTAMP, BODY) == EXPECTED


def test_verify_accepts_the_sample_within_tolerance() -> None:
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(TIMESTAMP), "webhook-signature": EXPECTED}
    assert verify(SECRET, headers, BODY, now=TIMESTAMP + 299) == MSG_ID


def test_verify_accepts_any_of_several_signatures() -> None:
    headers = {
        "Webhook-Id": MSG_ID,
        "Webhook-Timestamp": str(TIMESTAMP),
        "Webhook-Signature": f"v1,bm90LXRoaXMtb25l {EXPECTED}",
    }
    assert verify(SECRET, headers, BODY, now=TIMESTAMP) == MSG_ID


@pytest.mark.parametrize(
    ("change", "now"),
    [
        ({"webhook-signature": "v1,AAAA"}, TIMESTAMP),
        ({"webhook-signature": EXPECTED.replace("v1", "v2")}, TIMESTAMP),
        ({}, TIMESTAMP + 301),
        ({}, TIMESTAMP - 301),
        ({"webhook-id": "msg_other"}, TIMESTAMP),
        ({"webhook-timestamp": "yesterday"}, TIMESTAMP),
    ],
)
def test_verify_refuses(change: dict[str, str], now: int) -> None:
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(TIMESTAMP), "webhook-signature": EXPECTED}
    headers.update(change)
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, headers, BODY, now=now)


def test_tampered_body_is_refused() -> None:
    headers = signed_headers(SECRET, MSG_ID, BODY, timestamp=TIMESTAMP)
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, headers, BODY.replace(b"2432", b"2433"), now=TIMESTAMP)


def test_missing_headers_are_refused() -> None:
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify(SECRET, {"webhook-id": MSG_ID}, BODY, now=TIMESTAMP)
