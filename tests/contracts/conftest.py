"""Contract tests: golden samples, producers' translations and consumers' handlers. No broker, no database
server: consumers run against the in-memory (POPO) or SQLite stores."""
