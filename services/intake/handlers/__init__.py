"""Intake's use cases: keyword-only async functions taking the unit of work (and the context, the
staff member, the command). They reach the database only through the repositories of
``IntakeUnitOfWork``, so each runs in the unit tier against in-memory fakes."""
