"""The platform's services; each one owns its PostgreSQL schema and talks to others over Kafka."""
