"""Exchange with partner platforms: the outbox of events they must be told about."""
