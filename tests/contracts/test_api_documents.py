"""The committed OpenAPI and AsyncAPI documents (docs/api/) match what the code generates."""
from __future__ import annotations

import os

import pytest

from launcher import apidocs


@pytest.mark.parametrize("name,document", sorted(apidocs.documents().items()), ids=lambda v: v if isinstance(v, str) else "")
def test_the_committed_document_is_current(name, document):
    path = os.path.join(apidocs.DOCS, name)
    assert os.path.exists(path), f"{name} is missing: run python -m launcher.apidocs"
    with open(path) as handle:
        assert handle.read() == apidocs.render(document), f"{name} is stale: run python -m launcher.apidocs"


def test_every_command_route_requires_an_idempotency_key():
    for name, document in apidocs.documents().items():
        if not name.endswith("openapi.json"):
            continue
        for path, operations in document["paths"].items():
            if "post" in operations:
                headers = [p["name"] for p in operations["post"].get("parameters", []) if p.get("in") == "header"]
                assert "Idempotency-Key" in headers, (name, path)
