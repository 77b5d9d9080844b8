"""The run command names an unreachable broker or database and says how to start it."""
from launcher import preflight
from tests.support.fixtures import free_port


def test_an_unreachable_broker_and_database_are_named_with_how_to_start_them():
    closed = free_port()
    problems = preflight.problems({"AMQP_URI": f"amqp://guest:secret@127.0.0.1:{closed}//",
                                   "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(closed),
                                   "MASTER_KEY": "x" * 43, "AUDIT_SIGNING_KEY": "y" * 43})
    assert len(problems) == 2
    assert problems[0].startswith("RabbitMQ at amqp://***@127.0.0.1") and "rabbitmq-server -detached" in problems[0]
    assert problems[1].startswith(f"PostgreSQL at 127.0.0.1:{closed}") and "pg_ctlcluster" in problems[1]
    assert "secret" not in " ".join(problems)


def test_nothing_is_reported_for_the_embedded_default():
    assert preflight.problems({}) == []


def test_a_missing_master_key_is_reported_outside_the_embedded_mode():
    problems = preflight.problems({"AMQP_URI": "amqp://guest:guest@127.0.0.1:5672//", "POSTGRES_HOST": "127.0.0.1"})
    assert any(problem.startswith("MASTER_KEY is not set") for problem in problems)
