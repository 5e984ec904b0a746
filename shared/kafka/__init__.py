"""Kafka plumbing on aiokafka: idempotent producer, consumer runner with retries and dead letters,
topic administration."""
