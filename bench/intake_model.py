"""Where the benchmarks find intake's portal request model (``GrievanceCreate``).

The ceiling apps must parse exactly the model intake parses, so they import it rather than copy
it. Intake's modules are being rearranged, so the model is looked up in the places it has lived
(or at ``BENCH_INTAKE_MODEL=module:Class``), with a clear message when it is in none of them.
"""

from __future__ import annotations

import importlib
import os

from pydantic import BaseModel

CANDIDATE_MODULES = (
    "services.intake.schemas",
    "services.intake.api.schemas",
    "services.intake.domain.schemas",
    "services.intake.schemas.grievance",
    "services.intake.api",
)
CLASS_NAME = "GrievanceCreate"


def intake_request_model() -> type[BaseModel]:
    """The portal submission model intake validates ``POST /v1/grievances`` with."""
    override = os.environ.get("BENCH_INTAKE_MODEL")
    if override:
        module_name, _, class_name = override.partition(":")
        candidates = [(module_name, class_name or CLASS_NAME)]
    else:
        candidates = [(module, CLASS_NAME) for module in CANDIDATE_MODULES]
    for module_name, class_name in candidates:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                continue  # this module does not exist (any more): try the next place
            raise  # the module exists but one of its own imports is broken: say so
        model = getattr(module, class_name, None)
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model
    looked = ", ".join(f"{m}:{c}" for m, c in candidates)
    raise ImportError(
        f"intake's request model not found (looked at {looked}); "
        "set BENCH_INTAKE_MODEL=<module>:<Class> to where intake's portal submission model now lives"
    )
