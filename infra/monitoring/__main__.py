"""``python -m monitoring``: writes dashboards_out/*.json (the tables of docs/observability.md, which name the
services' metrics, are written by ``python -m launcher.observabilitydocs``: infra imports no service)."""
from __future__ import annotations

import glob
import os
import sys
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import monitoring


def main() -> int:
    built = monitoring.built_dashboards()
    os.makedirs(monitoring.OUT, exist_ok=True)
    for stale in set(glob.glob(os.path.join(monitoring.OUT, "*.json"))) - {
            os.path.join(monitoring.OUT, name) for name in built}:
        os.remove(stale)
    for filename, dashboard in built.items():
        with open(os.path.join(monitoring.OUT, filename), "w") as handle:
            handle.write(monitoring.render(dashboard))
    print(f"wrote {len(built)} dashboards to {monitoring.OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
