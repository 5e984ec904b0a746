"""Live status push (the adapter behind api/events.py): Server-Sent Events fed by Postgres
LISTEN/NOTIFY from the timeline writer."""
