"""The referrals domain: a referral's life from the partner's form to acceptance (``referral``), with the referral
partners who send them, and their rules.

Before this package the module was ``referrals.domain``: that name is registered (chassis.topics), so every
stored referral still loads (tests/unit/referrals/test_stored_events.py).
"""
from chassis.topics import moved
from referrals.domain import referral

moved("referrals.domain", referral)

# the aggregates in the package's namespace too: a stored topic resolved before anything imported the package
# finds them here
from referrals.domain.referral import Referral, ReferralPartner  # noqa: E402

__all__ = ["Referral", "ReferralPartner"]
