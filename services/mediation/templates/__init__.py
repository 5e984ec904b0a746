"""Jinja2 templates of the documents this service issues (HTML; print to PDF from a browser)."""
