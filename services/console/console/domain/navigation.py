"""What each role finds in the console: the sections of its navigation and the page it starts on.

A section is offered to a role only when the API would answer that role (docs/security.md): the page still
asks the service, so a role offered too much would be refused there, never shown more.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    path: str
    label: str
    roles: tuple[str, ...]


HUB = ("caseworker", "admin")
SECTIONS = (
    Section("/queue", "Work queue", HUB),
    Section("/search", "Find a client", HUB),
    Section("/refer", "Refer a person", ("referrer",)),
    Section("/my-referrals", "Your referrals", ("referrer",)),
    Section("/contracts", "Outcomes contracts", ("finance", "auditor", "admin")),
    Section("/programme", "Programme", ("caseworker", "auditor", "admin", "enterprise_staff")),
    Section("/audit", "Audit", ("auditor", "admin")),
)


def sections_for(role: str) -> list[Section]:
    return [section for section in SECTIONS if role in section.roles]


#: where a role's main work is, when it is not the first section it may see
MAIN_PAGE = {"auditor": "/audit"}


def start_page(role: str) -> str:
    """Where a person lands after signing in: their main page, else their role's first section (a trust system
    has no pages)."""
    sections = sections_for(role)
    return MAIN_PAGE.get(role) or (sections[0].path if sections else "/no-pages")
