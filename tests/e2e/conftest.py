"""End-to-end tests: the real services as processes, the real RabbitMQ and PostgreSQL. Nothing is faked."""
