"""Console: the staff workbench over the other services' HTTP APIs (DESIGN §3); for now the annual report."""
