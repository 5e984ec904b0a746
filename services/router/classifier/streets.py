"""Find the subdistrict (街道) a text names, from the catalog's streets and communities."""

from __future__ import annotations

import re

from shared.catalog import Catalog
from shared.events.vocabulary import Street


class StreetFinder:
    """A street named outright (公明街道), or a community that belongs to exactly one street.

    Communities shared by two streets (楼村, 合水口) decide nothing; 光明 alone is the district's
    name, so it counts only as 光明街道 or 光明社区.
    """

    def __init__(self, catalog: Catalog) -> None:
        owners: dict[str, set[Street]] = {}
        for street, info in catalog.streets.items():
            short = street.value.removesuffix("街道")
            owners.setdefault(short, set()).add(street)
            for community in info.communities:
                owners.setdefault(community, set()).add(street)
        self._street_of: dict[str, Street] = {}
        names: list[str] = []
        for name, streets in owners.items():
            if len(streets) != 1:
                continue
            (street,) = streets
            self._street_of[name] = street
            names.append(f"{name}(?:街道|社区)" if name == "光明" else name)
        names.sort(key=len, reverse=True)
        self._pattern = re.compile("|".join(names))

    def find(self, text: str) -> Street | None:
        match = self._pattern.search(text)
        if match is None:
            return None
        name = match.group(0).removesuffix("街道").removesuffix("社区")
        return self._street_of.get(name)
