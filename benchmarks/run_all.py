"""Runs every benchmark and rewrites docs/performance.md with the figures: ``python -m benchmarks.run_all``.

``--quick`` runs the quick set (shorter load rounds, 20 latency probes, the rebuild from 100,000 stored events
instead of 1,000,000, 30 s of sustained load instead of 120): about 5 minutes on a quiet 2-core machine; the full
set's rebuild alone takes 7.5. Quick figures are kept as rows of their own (``name (quick)``), so a quick run
never replaces the full set's figures. ``--only
a,b`` runs some
benchmarks and keeps the others' last figures (benchmarks/results.json), each row saying when it was measured;
``--rewrite`` only rewrites the document from those figures (after editing benchmarks/NOTES.md).
Each benchmark prints one JSON line as it finishes; docs/performance.md is written at the end, with the
hand-written explanations of benchmarks/NOTES.md after the table.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable

from benchmarks import (
    bench_batch_steps,
    bench_ledger_latency,
    bench_rebuild,
    bench_single_post,
    bench_statement,
    bench_sustained,
)

BENCHMARKS: dict[str, Callable[..., dict]] = {
    "single_step_posts": bench_single_post.run,
    "batch_steps": bench_batch_steps.run,
    "post_to_ledger_latency": bench_ledger_latency.run,
    "finance_statement": bench_statement.run,
    "rebuild_1m_events": bench_rebuild.run,
    "sustained_batches": bench_sustained.run,
    "sustained_single": lambda quick=False: bench_sustained.run(single=True, quick=quick),
}
HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(os.path.dirname(HERE), "docs", "performance.md")
NOTES = os.path.join(HERE, "NOTES.md")
RESULTS = os.path.join(HERE, "results.json")
OWN_KEYS = ("benchmark", "figure", "baseline", "ratio", "target", "met", "measured", "set", "ratio_means")


def machine() -> str:
    cpus = os.cpu_count()
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return f"{cpus} cores, Python {platform.python_version()}, {postgres or 'psql not found'}"


def row(name: str, result: dict) -> str:
    if "failed" in result:
        return (f"| {name} | – | – | – | – | **failed twice** | {result['measured']} ({result['set']}) "
                f"| {result['failed']} |")
    figure, baseline = result["figure"], result["baseline"]
    detail = ", ".join(f"{k} {json.dumps(v) if isinstance(v, (dict, list)) else v}"
                       for k, v in result.items() if k not in (*OWN_KEYS, figure, baseline))
    ratio = f"{result['ratio']}" + (f" ({result['ratio_means']})" if result.get("ratio_means") else "")
    return (f"| {name} | {result[figure]} {figure} | {result[baseline]} {baseline} | {ratio} | {result['target']} |"
            f" {'met' if result['met'] else '**missed**'} | {result['measured']} ({result['set']}) | {detail} |")


def write(results: dict[str, dict]) -> None:
    lines = ["# Performance", "",
             (f"Written by `python -m benchmarks.run_all` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())};"
              f" machine: {machine()}. RabbitMQ, PostgreSQL, the services and the load generator share the cores,"
              " and other engineers' test runs share the machine: figures move by ±15% between runs, so compare"
              " each figure with the baseline measured beside it in the same run."), "",
             "| benchmark | figure | baseline (same run) | ratio | target | | measured | detail |",
             "|---|---|---|---|---|---|---|---|"]
    # a quick run's figures are rows of their own ("name (quick)"): they never replace the full set's
    lines += [row(key, results[key]) for name in BENCHMARKS for key in (name, f"{name} (quick)") if key in results]
    with open(NOTES) as handle:
        lines += ["", handle.read().rstrip()]
    with open(DOC, "w") as handle:
        handle.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run_all")
    parser.add_argument("--quick", action="store_true", help="the quick set (about 3 minutes)")
    parser.add_argument("--only", default="", help="comma-separated benchmark names; keep the others' last figures")
    parser.add_argument("--rewrite", action="store_true",
                        help="run nothing: rewrite docs/performance.md from the last figures (after editing NOTES.md)")
    options = parser.parse_args(argv)
    if options.rewrite:
        with open(RESULTS) as handle:
            write(json.load(handle))
        return 0
    chosen = [n for n in options.only.split(",") if n] or list(BENCHMARKS)
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})")
    results: dict[str, dict] = {}
    if os.path.exists(RESULTS):  # the other set's figures (and, with --only, the other benchmarks') are kept
        with open(RESULTS) as handle:
            results = json.load(handle)
    for name in chosen:
        print(f"running {name}...", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            result = BENCHMARKS[name](quick=options.quick)
        except Exception as error:  # another engineer's fault test restarting RabbitMQ or PostgreSQL: once more
            print(f"{name} failed ({type(error).__name__}: {error}); running it again", file=sys.stderr, flush=True)
            try:
                result = BENCHMARKS[name](quick=options.quick)
            except Exception as again:  # recorded as failed in the table; the other benchmarks still run
                result = {"benchmark": name, "failed": f"{type(again).__name__}: {str(again)[:200]}"}
        result["measured"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        result["set"] = f"{'quick' if options.quick else 'full'}, {time.monotonic() - started:.0f} s"
        results[f"{name} (quick)" if options.quick else name] = result
        print(json.dumps(result), flush=True)
        with open(RESULTS, "w") as handle:  # kept after each benchmark: a later failure loses nothing
            json.dump(results, handle, indent=1, sort_keys=True)
    write(results)
    print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
