"""Runs every benchmark and rewrites docs/performance.md with the figures: ``python -m benchmarks.run_all``."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from typing import Callable

from benchmarks import bench_batch_steps, bench_single_post

BENCHMARKS: dict[str, Callable[[], dict]] = {
    "single_step_posts": bench_single_post.run,
    "batch_steps": bench_batch_steps.run,
}
DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "performance.md")
NOTES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES.md")


def machine() -> str:
    cpus = os.cpu_count()
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cpus} cores, Python {platform.python_version()}, {postgres or 'psql not found'}"


def main() -> int:
    results = {}
    for name, run in BENCHMARKS.items():
        print(f"running {name}...", file=sys.stderr, flush=True)
        results[name] = run()
        print(json.dumps(results[name]), flush=True)
    lines = ["# Performance", "",
             f"Written by `python -m benchmarks.run_all` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())};"
             f" machine: {machine()}. RabbitMQ, PostgreSQL, the services and the load generator share the cores.",
             "", "| benchmark | figure | baseline (same run) | ratio | target | detail |", "|---|---|---|---|---|---|"]
    for name, result in results.items():
        figure_key = next(k for k in result if k.endswith("_per_s") and not k.startswith("raw"))  # the first figure
        base_key = next(k for k in result if k.startswith("raw"))
        detail = ", ".join(f"{k} {v}" for k, v in result.items()
                           if k not in ("benchmark", figure_key, base_key, "ratio", "target_ratio"))
        lines.append(f"| {name} | {result[figure_key]} {figure_key} | {result[base_key]} {base_key} | "
                     f"{result['ratio']} | ≥ {result['target_ratio']} | {detail} |")
    with open(NOTES) as handle:
        lines += ["", handle.read().rstrip()]
    with open(DOC, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
