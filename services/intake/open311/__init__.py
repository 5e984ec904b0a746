"""Open311 GeoReport v2 facade, so existing Open311 apps can file and follow grievances.

Every endpoint answers in XML (the specification's default) or JSON, chosen by the path's
``.xml``/``.json``; errors are the specification's ``errors`` list, not problem details. The
facade is documented in docs/intake.md, section "Open311 GeoReport v2".
"""

from services.intake.open311.api import router

__all__ = ["router"]
