"""Announcements: events, subscriptions, reminders and broadcasts."""
