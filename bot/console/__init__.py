"""The staff console: login links and sessions, the curator loop, figures (issue 21)."""
