"""Child processes that stop together: SIGTERM first, SIGKILL for stragglers."""

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


@dataclass
class Children:
    logdir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: list[IO[bytes]] = field(default_factory=list)

    def start_module(self, name: str, module: str, env: Mapping[str, str], *args: str) -> None:
        self.logdir.mkdir(parents=True, exist_ok=True)
        log = (self.logdir / f"{name}.log").open("ab")
        self._logs.append(log)
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def dead(self) -> list[str]:
        return [name for name, p in self.processes.items() if p.poll() is not None]

    def stop(self, name: str | None = None, timeout_s: float = 10.0) -> None:
        names = [name] if name else list(reversed(self.processes))
        for n in names:
            process = self.processes[n]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for n in names:
            process = self.processes.pop(n)
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if name is None:
            for log in self._logs:
                log.close()
            self._logs.clear()
