"""Mediation: the 矛盾纠纷 track — people's, administrative and judicial mediation (DESIGN §1)."""
