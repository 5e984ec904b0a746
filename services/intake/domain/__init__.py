"""Intake's pure rules: tracking numbers and the complainant's identity (grievance), masking of
free text, replay bindings, open/closed folding of statuses, the retention period.

No database, broker, web or HTTP library here (the import contract in .importlinter)."""
