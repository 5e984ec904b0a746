"""What every use case needs besides the unit of work: settings, clock, rules, catalog, the roster
and lawyer files — all read once, when the process starts."""

from __future__ import annotations

from dataclasses import dataclass

from services.mediation.datafiles import load_roster, load_type_rules
from services.mediation.domain.deadlines import TimeLimits
from services.mediation.domain.roster import Mediator
from services.mediation.domain.triage import TypeRules
from services.mediation.settings import Settings
from shared.catalog import Catalog, load_catalog
from shared.catalog.lawyers import LawyerRoster, load_lawyers
from shared.clock import Clock, SystemClock


@dataclass(frozen=True, slots=True)
class MediationContext:
    settings: Settings
    clock: Clock
    catalog: Catalog
    rules: TypeRules
    roster_file: tuple[Mediator, ...]
    lawyers: LawyerRoster  # legal advisers (法律顾问) for panels, shared/catalog/lawyers.yaml

    @property
    def limits(self) -> TimeLimits:
        return self.settings.time_limits

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock | None = None) -> MediationContext:
        """Read and check the data files (fails fast on a bad file)."""
        catalog = load_catalog()
        return cls(
            settings=settings,
            clock=clock or SystemClock(),
            catalog=catalog,
            rules=load_type_rules(catalog, settings.type_rules_file),
            roster_file=tuple(load_roster(catalog, settings.roster_file)),
            lawyers=load_lawyers(),
        )
