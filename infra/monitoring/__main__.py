"""``python -m monitoring``: writes dashboards_out/*.json and the generated tables of docs/observability.md."""
from __future__ import annotations

import glob
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import monitoring
from monitoring import docs


def main() -> int:
    built = monitoring.built_dashboards()
    os.makedirs(monitoring.OUT, exist_ok=True)
    for stale in set(glob.glob(os.path.join(monitoring.OUT, "*.json"))) - {
            os.path.join(monitoring.OUT, name) for name in built}:
        os.remove(stale)
    for filename, dashboard in built.items():
        with open(os.path.join(monitoring.OUT, filename), "w") as handle:
            handle.write(monitoring.render(dashboard))
    with open(docs.PATH) as handle:
        current = handle.read()
    with open(docs.PATH, "w") as handle:
        handle.write(docs.regenerate(current))
    print(f"wrote {len(built)} dashboards to {monitoring.OUT} and the tables of {docs.PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
