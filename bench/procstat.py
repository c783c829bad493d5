"""What the kernel says processes and the machine used (``/proc``): CPU seconds, memory,
how busy the cores were, and where each thread's time went."""

import os
from pathlib import Path


def cpu_s(*pids: int) -> float:
    """User + system seconds the running processes ``pids`` have used so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def status_mb(pid: int, name: str = "VmRSS") -> float:
    """A memory line of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``: the peak), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/{pid}/status has no {name}")


def cpu_counters() -> tuple[int, int]:
    """The machine's CPU counters now: (busy, total) jiffies over all cores."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(fields[:8])
    return total - fields[3] - fields[4], total  # less idle and iowait


def busy_since(before: tuple[int, int]) -> float:
    """The share of all cores busy since ``cpu_counters()`` gave ``before``."""
    now = cpu_counters()
    return (now[0] - before[0]) / max(1, now[1] - before[1])


def sched(pid: int) -> dict[int, tuple[float, float]]:
    """Per thread of ``pid``: seconds it ran on a core and seconds it was runnable but
    waiting for one (``/proc/<pid>/task/<tid>/schedstat``), so far. The rest of a thread's
    wall time it was blocked: on a socket, a lock, a disk."""
    times = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ran, waited = task.joinpath("schedstat").read_text().split()[:2]
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended meanwhile
        times[int(task.name)] = (int(ran) / 1e9, int(waited) / 1e9)
    return times


def sched_shares(
    before: dict[int, tuple[float, float]], pid: int, wall_s: float, top: int = 2
) -> list[tuple[float, float]]:
    """The ``top`` busiest threads of ``pid`` since ``sched`` gave ``before``: the share of
    ``wall_s`` each ran, and the share it waited for a core."""
    now = sched(pid)
    spent = [
        (ran - before.get(tid, (0.0, 0.0))[0], waited - before.get(tid, (0.0, 0.0))[1])
        for tid, (ran, waited) in now.items()
    ]
    spent.sort(reverse=True)
    return [(round(ran / wall_s, 2), round(waited / wall_s, 2)) for ran, waited in spent[:top]]
