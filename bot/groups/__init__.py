"""Peer groups: joining with consent to the rules, moderation, the crisis guard in groups."""
