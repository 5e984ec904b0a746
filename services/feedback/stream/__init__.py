"""Live status push: Server-Sent Events fed by Postgres LISTEN/NOTIFY from the timeline writer."""
