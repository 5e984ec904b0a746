"""The 回执 names the portal address citizens can reach, not the console's internal one."""

from services.console.settings import Settings


def test_the_public_portal_address_wins_over_the_internal_one() -> None:
    internal = Settings(feedback_url="http://feedback-api:8000")
    assert internal.portal_url() == "http://feedback-api:8000/"
    public = Settings(feedback_url="http://feedback-api:8000", portal_public_url="https://xf.gm.gov.cn/")
    assert public.portal_url() == "https://xf.gm.gov.cn/"
