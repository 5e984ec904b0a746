"""Test support: namespaces on the real broker and database, Kafka probes, service processes."""
