"""Console settings (env prefix ``CONSOLE_``, falling back to ``GRIEVANCE_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import DEV_JWT_SECRET, Environment, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "console"

    http_port: int = Field(default=8006, ge=1, le=65535)
    # The services' HTTP APIs: the console reads them as the signed-in user, never their tables.
    intake_url: str = "http://127.0.0.1:8001"
    router_url: str = "http://127.0.0.1:8002"
    casework_url: str = "http://127.0.0.1:8003"
    mediation_url: str = "http://127.0.0.1:8004"
    feedback_url: str = "http://127.0.0.1:8005"
    service_timeout_s: float = Field(default=30.0, gt=0, le=300)
    # The CLI's supervisor token; without it (development only) the CLI issues one itself.
    staff_token: SecretStr | None = None
    # A TrueType CJK font for the report's text and charts; found on the system when unset.
    report_font_path: str | None = None

    @field_validator("intake_url", "router_url", "casework_url", "mediation_url", "feedback_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        """The console holds no database and no Kafka client: only the JWT key must be real."""
        if self.environment is not Environment.production:
            return self
        if self.jwt_algorithm == "HS256" and self.jwt_secret.get_secret_value() == DEV_JWT_SECRET:
            raise ValueError("production refuses development defaults for: jwt_secret")
        if self.jwt_algorithm == "RS256" and not self.jwt_public_key:
            raise ValueError("jwt_algorithm RS256 needs jwt_public_key")
        return self

    def service_urls(self) -> dict[str, str]:
        return {
            "intake": self.intake_url,
            "router": self.router_url,
            "casework": self.casework_url,
            "mediation": self.mediation_url,
            "feedback": self.feedback_url,
        }
