"""A private PostgreSQL cluster in a temporary directory, on a loopback port.

``initdb`` and ``postgres`` refuse to run as root, so as root they run as user
``postgres`` (``runuser``). Trust authentication on loopback only; stopped by PID.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from devnet.ports import free_port, wait_for_port

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
INSTALL_HINT = "PostgreSQL is not installed: run 'sudo apt-get install postgresql'"


def _bin(name: str) -> str:
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(INSTALL_HINT)
    return found


@dataclass
class PostgresCluster:
    workdir: Path | None = None
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _as_postgres(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start(self) -> "PostgresCluster":
        initdb, postgres = _bin("initdb"), _bin("postgres")
        # Under /tmp itself: pytest's own temp dirs are private to root.
        self.workdir = self.workdir or Path(tempfile.mkdtemp(prefix="kyusui-pg-"))
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(INSTALL_HINT + " (no 'postgres' user)") from None
            os.chown(self.workdir, owner.pw_uid, owner.pw_gid)
        data = self.workdir / "data"
        result = subprocess.run(
            [
                *self._as_postgres(),
                initdb,
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            capture_output=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed: {result.stderr.decode(errors='replace')}")
        self.port = self.port or free_port()
        log = (self.workdir / "postgres.log").open("ab")
        self.process = subprocess.Popen(
            [
                *self._as_postgres(),
                postgres,
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.workdir),
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, timeout_s=30)
            self._wait_until_accepting()
        except TimeoutError:
            self.stop()
            raise RuntimeError(
                f"postgres did not start; see {self.workdir / 'postgres.log'}"
            ) from None
        return self

    def _wait_until_accepting(self, timeout_s: float = 30.0) -> None:
        """The port opens before recovery ends ("the database system is starting up")."""
        ready = _bin("pg_isready")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            check = [ready, "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
            if subprocess.run(check, check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("postgres does not accept connections")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # runuser passes SIGTERM on: a "smart" shutdown
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
