"""Use cases for parents: lock the parent, load state, decide, save, count, perform actions."""
