from psycopg.conninfo import conninfo_to_dict

from chassis import config


def test_an_empty_password_does_not_swallow_the_database_name():
    parsed = conninfo_to_dict(config.postgres_conninfo("useit_referrals", {"POSTGRES_PASSWORD": ""}))
    assert parsed["dbname"] == "useit_referrals" and parsed["password"] == ""


def test_each_service_has_its_own_database_unless_told_otherwise():
    assert config.database_name("pathways", {"DB_PREFIX": "t1_"}) == "t1_pathways"
    assert config.database_name("pathways", {"PATHWAYS_POSTGRES_DBNAME": "elsewhere"}) == "elsewhere"


def test_with_nothing_configured_the_embedded_defaults_apply():
    assert config.embedded({}) and not config.uses_postgres({})
    assert config.eventsourcing_env("referrals", {"DATA_DIR": "/tmp/x"})["SQLITE_DBNAME"] == "/tmp/x/referrals.sqlite"
