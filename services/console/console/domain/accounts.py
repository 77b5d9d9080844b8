"""Staff accounts and sessions: the rules, with no storage.

A member of staff signs in with their staff id (not a name) and a password. After ``MAX_FAILURES`` wrong
passwords in a row the account is locked for ``LOCK_MINUTES`` (NCSC: throttle, do not lock for ever: a locked
hub cannot work); a session ends after ``IDLE_MINUTES`` without a request or ``SESSION_HOURS`` after sign-in,
whichever is first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_FAILURES = 5
LOCK_MINUTES = 15
IDLE_MINUTES = 30
SESSION_HOURS = 10
#: NCSC password guidance: length over complexity rules; a passphrase of three random words passes
PASSWORD_MIN = 12
PASSWORD_MAX = 256
STAFF_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class AccountRuleBroken(Exception):
    """A rule of accounts was broken; ``rule`` names it (the page says it in words)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule, self.message = rule, message


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountRuleBroken("password_too_short", f"a password needs at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise AccountRuleBroken("password_too_long", f"a password has at most {PASSWORD_MAX} characters")


def check_staff_id(person: str) -> None:
    if not STAFF_ID.match(person):
        raise AccountRuleBroken("staff_id", "a staff id is 2 to 64 lower-case letters, digits, . _ - (not a name)")


@dataclass(frozen=True)
class Lockout:
    """An account's run of failed sign-ins and when it may try again."""

    failures: int = 0
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime) -> Lockout:
        failures = 0 if self.locked_until is not None and now >= self.locked_until else self.failures
        failures += 1
        if failures >= MAX_FAILURES:
            return Lockout(failures, now + timedelta(minutes=LOCK_MINUTES))
        return Lockout(failures, None)

    @staticmethod
    def after_success() -> Lockout:
        return Lockout(0, None)


def session_live(signed_in_at: datetime, last_seen: datetime, now: datetime) -> bool:
    return (now - last_seen <= timedelta(minutes=IDLE_MINUTES)
            and now - signed_in_at <= timedelta(hours=SESSION_HOURS))
