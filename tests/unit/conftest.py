"""Unit tests: aggregates and applications on eventsourcing's in-memory (POPO) store. No broker, no server."""
