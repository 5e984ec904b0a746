"""Fixtures for the mediation unit tests: the packaged catalog, rules and roster (no I/O beyond
reading the packaged data files)."""

from __future__ import annotations

import pytest

from services.mediation.datafiles import load_roster, load_type_rules
from services.mediation.domain.roster import Mediator
from services.mediation.domain.triage import TypeRules
from shared.catalog import Catalog, load_catalog


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def rules(catalog: Catalog) -> TypeRules:
    return load_type_rules(catalog)


@pytest.fixture(scope="session")
def packaged_roster(catalog: Catalog) -> list[Mediator]:
    return load_roster(catalog)
