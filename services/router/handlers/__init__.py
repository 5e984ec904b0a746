"""The router's use cases: keyword-only async functions taking the unit of work (RouterUnitOfWork),
the context and the command; they reach the database only through the unit of work's repositories.

- routing.py: a received grievance is classified, linked to repeats and group cases, published
- rerouting.py: a handler gave a grievance back; decide again with what it ruled out
- reviews.py: the review queue and the reviewer's decision
- publishing.py: the events of a decision (alert, routed, hand-off or review, citizen status)
- pseudonyms.py: the read model follows a pseudonym-key rotation
- statistics.py, series.py: the supervisor's routing figures
"""
