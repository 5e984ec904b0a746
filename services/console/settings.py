"""Console settings (env prefix ``CONSOLE_``, falling back to ``GRIEVANCE_``)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url

from services.console.passwords import Lockout
from shared.settings import DEV_DATABASE_PASSWORD, DEV_JWT_SECRET, Environment, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "console"

    http_port: int = Field(default=8006, ge=1, le=65535)
    # The console's own schema holds accounts and sessions only: a small pool is plenty.
    db_pool_size: int = Field(default=5, ge=1, le=200)
    # The services' HTTP APIs: the console reads them as the signed-in user, never their tables.
    intake_url: str = "http://127.0.0.1:8001"
    router_url: str = "http://127.0.0.1:8002"
    casework_url: str = "http://127.0.0.1:8003"
    mediation_url: str = "http://127.0.0.1:8004"
    feedback_url: str = "http://127.0.0.1:8005"
    service_timeout_s: float = Field(default=30.0, gt=0, le=300)
    # The citizen portal's public address, printed on the registrar's 回执 (feedback_url is the
    # internal address the console calls; citizens need the one they can reach).
    portal_public_url: str | None = None
    # The CLI's supervisor token; without it (development only) the CLI issues one itself.
    staff_token: SecretStr | None = None
    # A TrueType CJK font for the report's text and charts; found on the system when unset.
    report_font_path: str | None = None

    # Sessions. Secure by default: browsers treat http://127.0.0.1 and localhost as secure
    # contexts, so only a plain-http deployment on another host name needs this off.
    cookie_secure: bool = True
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=10, ge=1, le=7 * 24)
    # The staff JWT carried to the APIs: short-lived, re-minted while the session lives.
    api_token_minutes: int = Field(default=15, ge=2, le=24 * 60)

    # Sign-in lock-out: this many consecutive failures lock the account for this long.
    lockout_threshold: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)

    # OpenID Connect sign-in through the organisation's provider; off unless all four are set.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_redirect_url: str | None = None
    oidc_scopes: str = "openid profile"

    @field_validator("intake_url", "router_url", "casework_url", "mediation_url", "feedback_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def portal_url(self) -> str:
        """Where citizens follow their grievance: the public address, else the feedback service's."""
        return (self.portal_public_url or self.feedback_url).rstrip("/") + "/"

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_without_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None

    @model_validator(mode="after")
    def _oidc_all_or_nothing(self) -> Settings:
        """Half an OIDC configuration is a mistake, not a choice: say which parts are missing."""
        parts = {
            "oidc_issuer": self.oidc_issuer,
            "oidc_client_id": self.oidc_client_id,
            "oidc_client_secret": self.oidc_client_secret,
            "oidc_redirect_url": self.oidc_redirect_url,
        }
        missing = sorted(name for name, value in parts.items() if not value)
        if missing and len(missing) < len(parts):
            raise ValueError(f"OIDC sign-in needs all of its settings; missing: {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        """Production: a real JWT key and database password, an https OIDC issuer (no Kafka client here)."""
        if self.environment is not Environment.production:
            return self
        weak = []
        if self.jwt_algorithm == "HS256" and self.jwt_secret.get_secret_value() == DEV_JWT_SECRET:
            weak.append("jwt_secret")
        if make_url(self.database_url.get_secret_value()).password in {None, "", DEV_DATABASE_PASSWORD}:
            weak.append("database_url")
        if weak:
            raise ValueError(f"production refuses development defaults for: {', '.join(weak)}")
        if self.jwt_algorithm == "RS256" and not self.jwt_public_key:
            raise ValueError("jwt_algorithm RS256 needs jwt_public_key")
        if self.oidc_issuer and not self.oidc_issuer.startswith("https://"):
            raise ValueError("production needs an https oidc_issuer")
        return self

    @property
    def lockout(self) -> Lockout:
        return Lockout(self.lockout_threshold, timedelta(minutes=self.lockout_minutes))

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    def service_urls(self) -> dict[str, str]:
        return {
            "intake": self.intake_url,
            "router": self.router_url,
            "casework": self.casework_url,
            "mediation": self.mediation_url,
            "feedback": self.feedback_url,
        }
