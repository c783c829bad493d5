"""A Debian 12 machine booted with ``systemd-nspawn -b``: systemd as PID 1, the host's network.

``Machine(root).boot()`` starts it; ``run()`` executes a command inside (``nsenter`` into the
container's namespaces, as ``machinectl shell`` would with a registered machine);
``poweroff()`` ends it. The console (systemd's boot messages) goes to ``console.log``.
"""

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

INSTALL_HINT = "systemd-nspawn is missing: apt-get install systemd-container"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass
class Machine:
    root: Path
    log: Path
    binds: dict[Path, str] = field(default_factory=dict)  # host path → path inside
    read_only: dict[Path, str] = field(default_factory=dict)
    volatile: bool = True  # changes go to a tmpfs overlay: the cached root stays clean
    process: subprocess.Popen[bytes] | None = None
    leader: int | None = None

    def boot(self, timeout_s: float = 60) -> "Machine":
        if shutil.which("systemd-nspawn") is None:
            raise RuntimeError(INSTALL_HINT)
        command = ["systemd-nspawn", "-D", str(self.root), "-q", "--register=no", "--keep-unit"]
        command += [f"--bind={h}:{c}" for h, c in self.binds.items()]
        command += [f"--bind-ro={h}:{c}" for h, c in self.read_only.items()]
        command += ["--volatile=overlay"] if self.volatile else []
        command += ["-b"]
        console = self.log.open("ab")
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.leader = self._leader()
            if self.leader is not None:
                state = self.run("systemctl", "is-system-running", check=False).stdout.strip()
                if state in ("running", "degraded"):
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        raise RuntimeError(f"the container did not boot; see {self.log}")

    def _leader(self) -> int | None:
        """The container's PID 1 (systemd): the nspawn process's child."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            pids = children.read_text().split()
        except OSError:
            return None
        return int(pids[0]) if pids else None

    def run(
        self,
        *command: str,
        check: bool = True,
        timeout_s: float = 600,
        user: str | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        assert self.leader is not None, "the container is not running"
        inside = ["runuser", "-u", user, "--", *command] if user else list(command)
        variables = [f"{k}={v}" for k, v in (env or {}).items()]
        result = subprocess.run(
            ["nsenter", "-t", str(self.leader), "-a", "env", "-i", f"PATH={PATH}",
             "LANG=C.UTF-8", *variables, *inside],
            capture_output=True, text=True, timeout=timeout_s, check=False,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} exited {result.returncode} in the container:\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def path(self, inside: str) -> Path:
        """A file of the container, seen from the host."""
        return self.root / inside.lstrip("/")

    def poweroff(self, timeout_s: float = 60) -> None:
        if self.process is None:
            return
        if self.process.poll() is None and self.leader is not None:
            self.run("systemctl", "poweroff", check=False, timeout_s=30)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.leader = None
