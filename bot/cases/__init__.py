"""The counsellor hand-over: cases, their state machine, office hours and the use cases."""
