"""Has the installed station reported? Read (as the service user) what the agent wrote.

``python -m provisioning.progress /var/lib/kyusui`` prints one JSON line:
``{"network": "online", "latest": <ms or null>, "outbox": <readings not yet acknowledged>,
"clock_synced": true}``. Opening read-only keeps root from leaving files the agent cannot use.
"""

import json
import sqlite3
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from localstate.db import FILE_NAME as LOCAL_STATE
from sensors.uplink.agentdb import FILE_NAME as AGENT_DB

ACK_COMMIT_BATCHES = 16  # sensors.uplink.outbox.Outbox.remove_range flushes after this many


@dataclass(frozen=True)
class Progress:
    network: str = "offline"
    latest: int | None = None
    outbox: int | None = None
    clock_synced: bool = True

    @property
    def reported(self) -> bool:
        """Online, measured, and the outbox drained.

        The agent commits the removal of acknowledged readings in groups (up to
        ``ACK_COMMIT_BATCHES`` at a time, to spare the SD card), so a drained outbox can
        still hold that many rows on disk.
        """
        return (
            self.network == "online"
            and self.latest is not None
            and self.outbox is not None
            and self.outbox <= ACK_COMMIT_BATCHES
        )


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)


def read_progress(state_dir: Path) -> Progress:
    if not (state_dir / LOCAL_STATE).exists() or not (state_dir / AGENT_DB).exists():
        return Progress()
    try:
        with _read_only(state_dir / LOCAL_STATE) as local:
            status = local.execute("SELECT network, clock_synced FROM agent_status").fetchone()
            latest = local.execute("SELECT ts FROM latest_reading").fetchone()
        with _read_only(state_dir / AGENT_DB) as db:
            outbox = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    except sqlite3.Error:
        return Progress()  # the agent is still creating its files
    return Progress(
        network=status[0] if status else "offline",
        latest=latest[0] if latest else None,
        outbox=int(outbox),
        clock_synced=bool(status[1]) if status else True,
    )


if __name__ == "__main__":
    print(json.dumps(asdict(read_progress(Path(sys.argv[1])))))
