"""Writes the rule tables of docs/pathways.md, the shipped cards of docs/ledger.md and the KPI definitions of
docs/reports.md from the data itself
(``python -m launcher.domaindocs``).

The regulators' rules are rows in ``pathways/domain/rules.py`` and the rate cards are terms documents in
``reporting/contract_terms/``; the documents list them between ``<!-- generated:NAME -->`` and
``<!-- end:NAME -->`` markers, so a row added to the data shows in the docs with its source.
tests/unit/test_domain_docs.py fails when the committed documents are stale.
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from importlib import resources
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")


def _pence(value: int | None) -> str:
    if value is None:
        return "none stated"
    pounds, pence = divmod(int(value), 100)
    return f"£{pounds:,}" + (f".{pence:02d}" if pence else "")


def _cell(value: Any) -> str:
    return str(value).replace("|", "/")


def regulator_rules() -> str:
    from pathways.domain import rules as r

    def score(rule: Any) -> str:
        skills = sorted(set(rule.minimum.values()), key=str)
        each = f"each skill {skills[0]}" if len(skills) == 1 else \
            ", ".join(f"{k} {v}" for k, v in rule.minimum.items())
        overall = f"overall {rule.overall}, " if rule.overall is not None else ""
        combine = f"; two sittings within {rule.combine_within_days} days combine" if rule.combine_within_days \
            else "; one sitting"
        return f"{overall}{each}{combine}"

    lines = ["#### English tests (the most recent sitting of each test decides; a certificate counts for "
             f"{r.ENGLISH_VALID_YEARS} years)", "", "| regulator | test | from | professions | requirement | source |",
             "|---|---|---|---|---|---|"]
    for english in sorted(r.ENGLISH, key=lambda x: (x.regulator, x.test, x.effective_from)):
        lines.append(f"| {english.regulator} | {english.test} | {english.effective_from} | "
                     f"{', '.join(english.professions) or 'all'} | {_cell(score(english))} | {_cell(english.source)} |")
    lines += ["", "#### Exams", "", "| exam | from | attempts | counted | prerequisite (valid) | waits | source |",
              "|---|---|---|---|---|---|---|"]
    for exam in r.EXAMS:
        counted = "per application" if exam.per_application else "over the route"
        if exam.extra_attempts:
            counted += f", {exam.extra_attempts} more after {exam.extra_after_months} months"
        prerequisite = "none" if exam.prerequisite is None else \
            f"{exam.prerequisite} ({exam.prerequisite_valid_years or 'no limit'} years)"
        waits = []
        if exam.min_days_between:
            waits.append(f"{exam.min_days_between} days between sittings")
        if exam.reapply_after_months:
            waits.append(f"a new application {exam.reapply_after_months} months after the last attempt")
        if exam.needs_english:
            waits.append("English valid on the day")
        lines.append(f"| {exam.exam} | {exam.effective_from} | {exam.attempts} | {counted} | {prerequisite} | "
                     f"{'; '.join(waits) or '-'} | {_cell(exam.source)} |")
    lines += ["", "#### Registration", "",
              "| regulator | from | an open application needed | apply after | stages | source |",
              "|---|---|---|---|---|---|"]
    for registration in r.REGISTRATION:
        lines.append(f"| {registration.regulator} | {registration.effective_from} | "
                     f"{'yes' if registration.application_required else 'no'} | "
                     f"{', '.join(registration.apply_after) or '-'} | "
                     f"{', '.join(r.STAGES_OF[registration.regulator]) or '-'} | "
                     f"{_cell(registration.source)} |")
    for gphc in r.GPHC:
        lines.append(f"| GPhC route | {gphc.effective_from} | - | - | {gphc.foundation_weeks} weeks' foundation "
                     f"training;"
                     f" the whole route within {gphc.window_years} years of starting OSPAP | {_cell(gphc.source)} |")
    lines += ["", f"Blocks (`registration_blocked`): {', '.join(r.BLOCK_REASONS)}.", "",
              "#### Placements and their gates", "", "| kind | from | longest | source |", "|---|---|---|---|"]
    for placement in r.PLACEMENTS:
        lines.append(f"| {placement.kind} | {placement.effective_from} | {placement.max_weeks} weeks | "
                     f"{_cell(placement.source)} |")
    lines += ["", "| trust | kind | from | gates to clear before the start | source |", "|---|---|---|---|---|"]
    for gate in r.PLACEMENT_GATES:
        lines.append(f"| {gate.trust or 'programme default'} | {gate.kind} | {gate.effective_from} | "
                     f"{', '.join(gate.gates)} | {_cell(gate.source)} |")
    lines += ["", "#### Sustainment (the programme's own measure; contracts count weeks their own way)", "",
              "| from | weeks | hours a week | employers | source |", "|---|---|---|---|---|"]
    for sustainment in r.SUSTAINMENT:
        lines.append(f"| {sustainment.effective_from} | {sustainment.mode} | {sustainment.min_hours_per_week:g}+ | "
                     f"{'NHS only' if sustainment.nhs_only else 'any'} | {_cell(sustainment.source)} |")
    return "\n".join(lines)


def shipped_cards() -> str:
    lines = []
    for path in sorted(resources.files("reporting").joinpath("contract_terms").iterdir(), key=lambda p: p.name):
        card = json.loads(path.read_text())
        prices: dict[str, list[str]] = {}
        for price in card["prices"]:
            prices.setdefault(price["metric"], []).append(
                _pence(price["pence"])
                + (f" ({', '.join(price['entry_points'])})" if price.get("entry_points") else ""))
        lines += [f"#### `{card['contract_id']}`: {card['name']}", "",
                  f"Service {card['service_start']} to {card['service_end']}, claims by {card['claim_deadline']}; "
                  f"per person {_pence(card['participant_cap_pence'])}, contract {_pence(card['contract_cap_pence'])}"
                  f"; the referrer's case reference "
                  f"{'shared' if card.get('share_external_reference') else 'not shared'}"
                  " with finance.", "", "| metric | price | definition | evidence |", "|---|---|---|---|"]
        for metric in card["metrics"]:
            evidence = [", ".join(metric.get("evidence_required", []))] + \
                [f"one of {' / '.join(group)}" for group in metric.get("evidence_one_of", [])]
            lines.append(f"| `{metric['code']}` | {'; '.join(prices.get(metric['code'], ['no price']))} | "
                         f"{_cell(metric.get('definition', ''))} | {'; '.join(e for e in evidence if e)} |")
        lines += [""] + [f"- {note}" for note in card.get("notes", [])] + [""]
    return "\n".join(lines).rstrip()


def kpi_definitions() -> str:
    from reporting.readmodels.queries import KPI_DEFINITIONS

    return "\n".join(["| KPI | definition |", "|---|---|"] +
                     [f"| `{name}` | {_cell(text)} |" for name, text in KPI_DEFINITIONS.items()])


BLOCKS: dict[str, tuple[str, Callable[[], str]]] = {
    "kpi-definitions": ("reports.md", kpi_definitions),
    "regulator-rules": ("pathways.md", regulator_rules),
    "shipped-cards": ("ledger.md", shipped_cards),
}


def updated(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- end:{name} -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"no <!-- generated:{name} --> block")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def documents() -> dict[str, str]:
    """Each document as it should read."""
    found: dict[str, str] = {}
    for name, (document, render) in BLOCKS.items():
        path = os.path.join(DOCS, document)
        if document not in found:
            with open(path) as handle:
                found[document] = handle.read()
        found[document] = updated(found[document], name, render())
    return found


def main() -> int:
    for document, text in documents().items():
        with open(os.path.join(DOCS, document), "w") as handle:
            handle.write(text)
    print(f"wrote {', '.join(documents())} in {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
