"""The session number: grows at every agent start, kept in the state directory."""

import os
from pathlib import Path


def next_session(state_dir: Path) -> int:
    path = state_dir / "session"
    try:
        previous = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        previous = 0  # missing or damaged: start again; the server sees a new session anyway
    session = previous + 1
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as f:
        f.write(f"{session}\n")
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    return session
