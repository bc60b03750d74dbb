"""Language processing: folding, stemming, the FAQ matcher, crisis guard, smalltalk, redaction."""
