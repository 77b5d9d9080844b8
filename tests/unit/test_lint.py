"""The code has no undefined names, unused imports or syntax errors (ruff's F and E9 rules)."""
from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_ruff_finds_no_undefined_names_unused_imports_or_syntax_errors():
    found = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F,E9", "--output-format", "concise",
                            "services", "infra", "launcher", "contracts", "tests", "benchmarks"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stdout + found.stderr
