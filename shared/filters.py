"""Query filters whose values come from data rather than an Enum: department codes from the
department catalog and 二级分类 from the taxonomy. An unknown value is a 422 that says what is
allowed, never an empty list that looks like "no cases" (docs/statistics.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from shared.catalog import load_catalog, load_taxonomy_entries


def known_department(code: str) -> str:
    catalog = load_catalog()
    if code not in catalog.departments:
        raise ValueError(f"未知的部门代码 {code}，可用：{', '.join(catalog.codes)}")
    return code


def known_category(name: str) -> str:
    if name not in {category for _, category, _ in load_taxonomy_entries()}:
        raise ValueError(f"分类目录中没有二级分类“{name}”（见 shared/catalog/taxonomy.tsv）")
    return name


DepartmentCode = Annotated[str, AfterValidator(known_department)]
CategoryName = Annotated[str, AfterValidator(known_category)]
