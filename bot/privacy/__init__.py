"""Privacy: the notice parents read, the export of their data, retention."""
