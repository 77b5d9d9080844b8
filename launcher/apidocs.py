"""Writes each service's OpenAPI and AsyncAPI documents to docs/api/ (``python -m launcher.apidocs``).

The services serve the same documents live; tests/contracts/test_api_documents.py fails when the committed
copies are stale, so regenerate with this command after changing a route or a contract.
"""
from __future__ import annotations

import json
import os
import sys

from chassis import apidoc
from chassis.serve import load
from launcher.services import SERVICES

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "api")


def documents() -> dict[str, dict]:
    found = {}
    for spec in SERVICES:
        service_cls = load(spec.service)
        found[f"{spec.name}.openapi.json"] = apidoc.openapi(service_cls)
        found[f"{spec.name}.asyncapi.json"] = apidoc.asyncapi(spec.name, service_cls.publishes, service_cls.consumes)
    return found


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"


def main() -> int:
    os.makedirs(DOCS, exist_ok=True)
    for name, document in documents().items():
        with open(os.path.join(DOCS, name), "w") as handle:
            handle.write(render(document))
    print(f"wrote {len(documents())} documents to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
