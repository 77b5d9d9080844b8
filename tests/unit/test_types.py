"""The code type-checks (STYLE B5: type hints everywhere; mypy must pass). Configuration: pyproject [tool.mypy]."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


@pytest.mark.timeout(600)
def test_mypy_finds_no_type_errors():
    found = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT, capture_output=True,
                           text=True)
    assert found.returncode == 0, found.stdout + found.stderr
