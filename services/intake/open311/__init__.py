"""Open311 GeoReport v2 facade, so existing Open311 apps can file and follow grievances: the
catalogue of services, the request form, the listing filters and the two formats. The routes are
services.intake.api.open311, the queries services.intake.repositories.open311.

Every endpoint answers in XML (the specification's default) or JSON, chosen by the path's
``.xml``/``.json``; errors are the specification's ``errors`` list, not problem details. The
facade is documented in docs/intake.md, section "Open311 GeoReport v2".
"""
