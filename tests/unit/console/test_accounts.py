"""Staff accounts: a password opens the person's credential and nothing else does; lockout; sessions end."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chassis.application import build_application
from console.application import Accounts, BadSignIn, Console
from console.domain.accounts import IDLE_MINUTES, LOCK_MINUTES, MAX_FAILURES, AccountRuleBroken, Lockout

PASSWORD = "correct horse battery"
CREDENTIAL = "uk_0123456789ab_secret-part-of-the-credential"


@pytest.fixture
def accounts(tmp_path) -> Iterator[Accounts]:  # type: ignore[no-untyped-def]
    app = build_application(Console, {"DATA_DIR": str(tmp_path)})
    app.migrate()
    found = Accounts(app)
    found.create("cw-1", "learning-works", "caseworker", PASSWORD, CREDENTIAL, "0123456789ab")
    yield found
    app.close()


def test_the_password_opens_the_credential_and_the_database_alone_does_not(accounts: Accounts) -> None:
    token, signed = accounts.sign_in("cw-1", PASSWORD)
    assert (signed.person, signed.organisation, signed.role, signed.credential) == \
        ("cw-1", "learning-works", "caseworker", CREDENTIAL)
    stored = accounts.app.query("SELECT password_hash, wrapped FROM console_accounts")[0]
    sessions = accounts.app.query("SELECT session_hash, wrapped FROM console_sessions")
    everything = " ".join(str(v) for v in (*stored, *sessions[0]))
    assert CREDENTIAL not in everything and PASSWORD not in everything and token not in everything
    assert stored[0].startswith("$argon2id$")
    again = accounts.session(token)
    assert again is not None and again.credential == CREDENTIAL and again.csrf == signed.csrf


def test_a_wrong_password_or_an_unknown_staff_id_says_the_same(accounts: Accounts) -> None:
    with pytest.raises(BadSignIn) as wrong:
        accounts.sign_in("cw-1", "not the password")
    with pytest.raises(BadSignIn) as unknown:
        accounts.sign_in("nobody", PASSWORD)
    assert wrong.value.message == unknown.value.message


def test_repeated_failures_lock_the_account_for_a_while_even_for_the_right_password(accounts: Accounts) -> None:
    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    for attempt in range(MAX_FAILURES):
        with pytest.raises(BadSignIn):
            accounts.sign_in("cw-1", f"wrong {attempt}", now)
    with pytest.raises(BadSignIn) as locked:
        accounts.sign_in("cw-1", PASSWORD, now + timedelta(minutes=1))
    assert locked.value.rule == "locked"
    token, _ = accounts.sign_in("cw-1", PASSWORD, now + timedelta(minutes=LOCK_MINUTES + 1))
    assert token
    outcomes = [row["outcome"] for row in accounts.sign_ins("cw-1")]
    assert outcomes == ["wrong_password"] * (MAX_FAILURES - 1) + ["locked_out", "locked", "signed_in"]


def test_a_session_ends_when_idle_on_sign_out_and_when_the_account_is_disabled(accounts: Accounts) -> None:
    now = datetime.now(UTC)
    token, _ = accounts.sign_in("cw-1", PASSWORD, now)
    assert accounts.session(token, now + timedelta(minutes=IDLE_MINUTES - 1)) is not None
    assert accounts.session(token, now + timedelta(minutes=2 * IDLE_MINUTES + 1)) is None
    token, _ = accounts.sign_in("cw-1", PASSWORD)
    accounts.sign_out(token)
    assert accounts.session(token) is None
    token, _ = accounts.sign_in("cw-1", PASSWORD)
    assert accounts.disable("cw-1") == "0123456789ab"
    assert accounts.session(token) is None
    with pytest.raises(BadSignIn):
        accounts.sign_in("cw-1", PASSWORD)


def test_a_reset_wraps_a_new_credential_and_ends_sessions(accounts: Accounts) -> None:
    token, _ = accounts.sign_in("cw-1", PASSWORD)
    assert accounts.reset("cw-1", "another long password", "uk_ba9876543210_new", "ba9876543210") == "0123456789ab"
    assert accounts.session(token) is None
    _, signed = accounts.sign_in("cw-1", "another long password")
    assert signed.credential == "uk_ba9876543210_new"


def test_account_rules() -> None:
    with pytest.raises(AccountRuleBroken):
        Accounts.create(None, "Jane Smith", "org", "caseworker", PASSWORD, CREDENTIAL, "k")  # type: ignore[arg-type]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    lockout = Lockout()
    for _ in range(MAX_FAILURES - 1):
        lockout = lockout.after_failure(now)
    assert not lockout.locked(now)
    assert lockout.after_failure(now).locked(now)
