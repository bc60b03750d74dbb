"""A durable outbox: messages are written to the database first and sent from there."""
