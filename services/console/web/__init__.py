"""The staff workbench: server-rendered pages (Jinja2 + htmx) over the services' HTTP APIs."""
