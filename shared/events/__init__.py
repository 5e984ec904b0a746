"""Event contracts and the CloudEvents envelope used on every topic."""
