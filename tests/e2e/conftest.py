"""End-to-end tests: the real services as processes, the real RabbitMQ and PostgreSQL. Nothing is faked.

Every JSON answer a test receives is checked against its service's OpenAPI document (tests/support/answers.py).
"""
pytest_plugins = ["tests.support.answers", "tests.support.browser"]
