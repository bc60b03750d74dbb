"""Storage: ports per aggregate, the personal-data registry, SQLite and in-memory stores."""
