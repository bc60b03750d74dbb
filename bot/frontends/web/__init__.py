"""The staff console on the web: server-rendered German pages over the console's use cases."""
