"""The fakes keep up with the repositories: a public method added to a repository and not to its
fake would let a unit test reach the real (session-bound) code."""

from __future__ import annotations

import inspect

import pytest

from services.mediation.repositories import MediationUnitOfWork
from tests.unit.mediation.fakes import FakeMediationUow


def _public_methods(cls: type) -> set[str]:
    return {name for name, member in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}


@pytest.mark.parametrize("attribute", sorted(inspect.get_annotations(MediationUnitOfWork)))
def test_every_repository_method_has_an_in_memory_twin(attribute: str) -> None:
    fake = getattr(FakeMediationUow(), attribute)
    real = inspect.get_annotations(MediationUnitOfWork, eval_str=True)[attribute]
    assert isinstance(fake, real)
    missing = sorted(name for name in _public_methods(real) if name not in type(fake).__dict__)
    assert not missing, f"{type(fake).__name__} does not override {missing}"
