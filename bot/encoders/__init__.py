"""Sentence encoders: the adapters behind the language layer's `SentenceEncoder` port."""
