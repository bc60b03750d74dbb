"""The pure dialogue core: events in; replies, new state and typed actions out."""
