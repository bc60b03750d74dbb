"""The knowledge base: YAML sources with line numbers, frozen content types, loader and checks."""
