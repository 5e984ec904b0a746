"""The portal page: intake's URL written in safely, a strict content security policy, settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.feedback.portal import PORTAL_DIR, content_security_policy, render_page
from services.feedback.settings import Settings


def test_the_intake_url_is_injected_escaped() -> None:
    page = render_page('http://intake.example/"><script>alert(1)</script>')
    assert "{{INTAKE_BASE_URL}}" not in page
    assert "<script>alert(1)</script>" not in page
    assert 'content="http://intake.example/&quot;&gt;&lt;script&gt;' in page


def test_the_page_may_only_talk_to_itself_and_intake() -> None:
    policy = content_security_policy("https://intake.gm.example/api")
    assert "connect-src 'self' https://intake.gm.example;" in policy
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy


def test_the_page_is_chinese_and_labels_every_field() -> None:
    page = render_page("http://127.0.0.1:8001")
    assert '<html lang="zh-CN">' in page
    for field_id in ("f-name", "f-mobile", "f-street", "f-community", "f-title", "f-content", "l-token"):
        assert f'<label for="{field_id}">' in page
    assert (PORTAL_DIR / "static" / "portal.js").is_file()


def test_production_refuses_the_development_webhook_secret() -> None:
    with pytest.raises(ValidationError, match="minyi_webhook_secret"):
        Settings(environment="production", database_url="postgresql+asyncpg://u:p@db/x", jwt_secret="x" * 40)
    with pytest.raises(ValidationError, match="whsec_"):
        Settings(minyi_webhook_secret="not-a-standard-secret")
    assert Settings(intake_public_url="https://intake.example/").intake_public_url == "https://intake.example"
