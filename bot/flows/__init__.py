"""Guided flows: decision trees as data, their graph checks, the engine, calculators and views."""
