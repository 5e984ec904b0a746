"""Router settings (env prefix ``ROUTER_``, falling back to ``GRIEVANCE_``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ROUTER_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "router"

    http_port: int = Field(default=8002, ge=1, le=65535)
    # The worker process has no API; it serves /metrics and /healthz here (None: not at all).
    worker_metrics_port: int | None = Field(default=9102, ge=1, le=65535)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)

    model_path: Path | None = Field(default=None, description="trained artifact; default: the packaged one")
    # A version written by ``train`` (models/<version>.joblib): roll out or back by naming it.
    model_version: str | None = Field(default=None, pattern=r"^[0-9]{8}-[0-9a-f]{6,64}$")
    model_dir: Path | None = Field(default=None, description="versioned artifacts; default: services/router/models")
    rules_path: Path | None = Field(default=None, description="rules YAML; default: the packaged one")
    # Below this confidence (probability that track, area and kind are all right) a person decides.
    review_threshold: float = Field(default=0.6, ge=0.0, le=1.0)

    # 重复件: same complainant, similar text, within this many days.
    repeat_window_days: int = Field(default=365, ge=1)
    repeat_similarity: float = Field(default=0.45, gt=0.0, le=1.0)
    # 集体访: this many different complainants, similar text, same street, within the window.
    cluster_window_days: int = Field(default=7, ge=1)
    cluster_similarity: float = Field(default=0.4, gt=0.0, le=1.0)
    cluster_min_complainants: int = Field(default=3, ge=2)

    reviews_page_max: int = Field(default=100, ge=1, le=1000)
    review_gauge_interval_s: float = Field(default=15.0, gt=0)

    @model_validator(mode="after")
    def _model_of_version(self) -> Settings:
        """ROUTER_MODEL_VERSION selects ``<model_dir>/<version>.joblib`` unless a path is given."""
        if self.model_version and self.model_path is None:
            directory = self.model_dir or Path(__file__).resolve().parent / "models"
            self.model_path = directory / f"{self.model_version}.joblib"
        return self
