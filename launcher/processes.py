"""Starting, watching and stopping service processes (used by the run command, the tests and benchmarks)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import requests

from launcher.services import CONSOLE, SERVICES, ServiceSpec


class StartupError(Exception):
    """Raised when a service does not become healthy in time."""


@dataclass
class RunningPlatform:
    env: dict[str, str]
    ports: dict[str, int]
    embedded: bool
    log_dir: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def url(self, service: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    @property
    def specs(self) -> tuple[ServiceSpec, ...]:
        """The four services, and the console when it has a port (bin/run and the main test platform)."""
        return SERVICES + ((CONSOLE,) if CONSOLE.name in self.ports else ())

    def start(self, names: Sequence[str] | None = None) -> None:
        if self.embedded:
            self._spawn("embedded", [spec.service for spec in self.specs])
        else:
            for spec in self.specs:
                if names is None or spec.name in names:
                    self._spawn(spec.name, [spec.service])
        try:
            self.wait_healthy(names)
        except StartupError:
            self.stop()  # leave no half-started platform behind
            raise

    def _spawn(self, label: str, paths: Sequence[str]) -> None:
        os.makedirs(self.log_dir, exist_ok=True)
        log = open(os.path.join(self.log_dir, f"{label}.log"), "ab")
        self.processes[label] = subprocess.Popen(
            [sys.executable, "-m", "chassis.serve", *paths], env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def last_errors(self, labels: Sequence[str] | None = None, per_log: int = 3) -> dict[str, list[str]]:
        """The last distinct error or critical lines of each process's log (their message and the last line of
        any traceback), for a failure's message: a CI run keeps no log files, only what a test prints."""
        found: dict[str, list[str]] = {}
        for label in labels if labels is not None else list(self.processes):
            try:
                with open(os.path.join(self.log_dir, f"{label}.log"), "rb") as handle:
                    handle.seek(max(0, os.fstat(handle.fileno()).st_size - 2_000_000))
                    lines = handle.read().decode("utf-8", "replace").splitlines()
            except OSError:
                continue
            seen: list[str] = []
            for line in reversed(lines):
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(record, dict) or record.get("level") not in ("error", "critical"):
                    continue
                trace = str(record.get("error") or "").strip().splitlines()
                message = re.sub(r"correlation [0-9a-f]{32}", "correlation ...", str(record.get("message", "")))
                text = message[:200] + (f" [{trace[-1][:200]}]" if trace else "")
                if text not in seen:
                    seen.append(text)
                if len(seen) >= per_log:
                    break
            if seen:
                found[label] = seen
        return found

    def wait_healthy(self, names: Sequence[str] | None = None, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for spec in self.specs:
            if names is not None and spec.name not in names:
                continue
            while True:
                try:
                    if requests.get(self.url(spec.name, "/health"), timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                for label, process in self.processes.items():
                    if process.poll() is not None:
                        raise StartupError(f"{label} exited with {process.returncode}; see {self.log_dir}/{label}.log;"
                                           f" its last errors: {self.last_errors([label])}")
                if time.monotonic() > deadline:
                    raise StartupError(f"{spec.name} was not healthy after {timeout:.0f} s; see {self.log_dir}")
                time.sleep(0.1)

    def kill(self, label: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(label)
        process.send_signal(sig)
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


def platform_env(base: Mapping[str, str], ports: Mapping[str, int]) -> dict[str, str]:
    env = dict(base)
    env.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    env.setdefault("PYTHONWARNINGS", "ignore")
    for spec in (*SERVICES, CONSOLE):
        if spec.name in ports:
            env[f"{spec.name.upper()}_HTTP_PORT"] = str(ports[spec.name])
    return env


def default_ports(base: Mapping[str, str]) -> dict[str, int]:
    return {spec.name: int(base.get(f"{spec.name.upper()}_HTTP_PORT") or spec.port) for spec in (*SERVICES, CONSOLE)}

