"""The layout holds: no import cycle among the project's modules, no service imports another, infra and the
contracts import no service, and every module can be imported on its own (docs/architecture.md)."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVICES = ("referrals", "pathways", "enterprises", "reporting", "console")
#: where each first-party package lives
PACKAGES = {"chassis": "infra/chassis/chassis", "monitoring": "infra/monitoring", "contracts": "contracts/contracts",
            "launcher": "launcher", **{name: f"services/{name}/{name}" for name in SERVICES}}


def modules() -> Iterator[tuple[str, str]]:
    """(dotted name, file) of every first-party module."""
    for package, folder in PACKAGES.items():
        for directory, _, files in os.walk(os.path.join(ROOT, folder)):
            for file in sorted(files):
                if file.endswith(".py"):
                    relative = os.path.relpath(os.path.join(directory, file), os.path.join(ROOT, folder))
                    parts = [package, *relative[:-3].split(os.sep)]
                    if parts[-1] == "__init__":
                        parts.pop()
                    yield ".".join(parts), os.path.join(directory, file)


def imports_of(name: str, path: str, known: set[str]) -> set[str]:
    """First-party modules a module imports anywhere in it (at import time or deferred inside a function: a
    deferred import hides a cycle from the interpreter, not from the design)."""
    tree = ast.parse(open(path).read())
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    found = dict(modules())
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return out


def test_no_import_cycle():
    assert cycles(graph()) == []


def test_no_service_imports_another_and_infra_and_contracts_import_none():
    for name, imports in graph().items():
        top = name.split(".")[0]
        others = {i.split(".")[0] for i in imports} & set(SERVICES)
        if top in SERVICES:
            assert others <= {top}, f"{name} imports {sorted(others - {top})}"
        elif top in ("chassis", "monitoring", "contracts"):
            assert not others, f"{name} imports {sorted(others)}"


def test_every_module_imports_on_its_own():
    """Each module first in a fresh interpreter: an import that works only after another module is loaded
    (a hidden cycle or order dependence) fails here."""
    names = [name for name, _ in modules() if not name.endswith("__main__")]

    def alone(name: str) -> str | None:
        run = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=ROOT, capture_output=True, text=True,
                             timeout=120)
        return None if run.returncode == 0 else f"{name}: {(run.stderr.strip().splitlines() or ['?'])[-1]}"

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        failed = [problem for problem in pool.map(alone, names) if problem]
    assert failed == []


#: Modules still over about 300 lines, each at most as long as it is now (a ratchet: split them, never grow them).
#: pathway.py is the aggregate's events and the methods that apply them, which eventsourcing requires on its class
#: (its commands are in the mixins beside it).
LONG = {"services/pathways/pathways/domain/pathway.py": 452}
ABOUT = 330


def test_no_module_over_about_300_lines_but_the_listed_ones_and_those_not_growing():
    found = {os.path.relpath(path, ROOT): sum(1 for _ in open(path)) for _, path in modules()}
    too_long = {path: n for path, n in found.items() if n > ABOUT and n > LONG.get(path, 0)}
    assert too_long == {}, "split these modules (docs/architecture.md)"
    assert set(LONG) <= set(found), "a listed module moved or went: update LONG"


def test_every_service_has_the_same_top_level_modules():
    """application, translation, service, dependencies and a domain package, in the four services and the console
    (reporting's domain is its outcome
    ledger's, in outcomes/, beside its read models)."""
    for name in SERVICES:
        folder = os.path.join(ROOT, "services", name, name)
        present = set(os.listdir(folder))
        assert {"application.py", "translation.py", "service.py", "dependencies.py"} <= present, name
        domain = os.path.join(folder, "outcomes", "domain.py") if name == "reporting" else \
            os.path.join(folder, "domain", "__init__.py")
        assert os.path.exists(domain), name
