"""Integration tests: chassis and application code in-process against the real PostgreSQL and RabbitMQ.

Nothing here is faked; in-process nameko containers may use the embedded in-memory broker only where the
behaviour under test does not involve the broker.
"""
