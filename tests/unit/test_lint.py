"""The code passes ruff with the project's rules (pyproject [tool.ruff]): no undefined names or unused imports,
sorted imports, lines of at most 120 characters, bugbear's likely bugs, and today's Python idioms."""
from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_ruff_is_clean_with_the_projects_rules():
    found = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stdout + found.stderr
