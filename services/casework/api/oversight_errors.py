"""Error translation for the recommendation, assistance and evaluation routers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from services.casework.api.deps import problems as case_problems
from services.casework.handlers.oversight import RecordNotFound, UnknownDepartment
from shared.problems import Problem


@contextmanager
def problems() -> Iterator[None]:
    """As for cases: refusals become problem documents and the transaction is not committed."""
    with case_problems():
        try:
            yield
        except RecordNotFound as exc:
            raise Problem(404, slug=exc.slug, detail=exc.detail_zh) from exc
        except UnknownDepartment as exc:
            raise Problem(
                422, slug="unknown-department", detail=f"未知的单位代码：{exc.code}。", field=exc.field
            ) from exc
