"""Changing the knowledge files from the console: YAML edits that keep comments and order."""
