"""Pure mediation rules: words, state machine, triage, mediator selection, outcomes, clocks.

Nothing here imports FastAPI, SQLAlchemy or aiokafka; every module is unit-tested without I/O.
"""
