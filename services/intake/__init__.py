"""Intake: the one entry for grievances (portal, staff registration, 民意速办 webhook)."""
