"""The router's one context object: what every use case may need besides the unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.router.classifier import Classifier
from services.router.classifier.ahead import ClassifiedAhead
from services.router.settings import Settings
from shared.catalog import Catalog
from shared.clock import Clock


@dataclass(frozen=True)
class RouterContext:
    settings: Settings
    classifier: Classifier
    catalog: Catalog
    clock: Clock
    # The consumer's next batch, classified while the one before it commits (consumers.warm).
    ahead: ClassifiedAhead = field(default_factory=ClassifiedAhead, compare=False, repr=False)

    @property
    def names(self) -> dict[str, str]:
        """Department names by code, for the citizen's messages."""
        return {code: d.name for code, d in self.catalog.departments.items()}
