"""A station's disk fills up: it keeps measuring, showing and publishing, and recovers."""

import time
from collections.abc import Callable
from pathlib import Path

from localstate import LocalState, open_local_state
from tests.faults.conftest import assert_whole
from tests.faults.disk import fill, small_tmpfs
from tests.faults.net import FaultNet

STATION = "st-fault-01"


def kiosk_shows(kiosk: LocalState) -> int | None:
    """The time of the reading the kiosk would show now."""
    latest = kiosk.snapshot().latest
    return None if latest is None else latest.ts


def keeps_going(net: FaultNet, kiosk: LocalState, seconds: float) -> None:
    """Over ``seconds`` the station stays up, its kiosk moves on and its readings arrive."""
    shown, taken = kiosk_shows(kiosk), len(net.produced(STATION))
    time.sleep(seconds)
    assert net.processes[STATION].poll() is None, net.log(STATION)
    assert (kiosk_shows(kiosk) or 0) > (shown or 0), "the kiosk's reading did not move on"
    assert len(net.produced(STATION)) > taken + 10, "the station stopped measuring"
    assert net.all_stored(timeout_s=10), "readings taken on a full disk did not arrive"


def test_a_full_disk_never_stops_the_station(
    faultnet: Callable[..., FaultNet], tmp_path: Path
) -> None:
    with small_tmpfs(tmp_path / "sd", 6 * 1024) as sd:
        net = faultnet(stations=(STATION, "st-fault-02"))
        net.state_dirs[STATION] = sd / "state"
        net.start()
        # The kiosk holds its connection to the local state, as the real one does.
        kiosk = open_local_state(net.state_dirs[STATION], create=False).state
        try:
            fill(sd / "logs")
            keeps_going(net, kiosk, 4)
            fill(sd / "logs")  # whatever filled the disk takes the reserve's room too
            keeps_going(net, kiosk, 4)

            net.stop(STATION)  # a restart on a full disk
            net.start_station(STATION)
            net.wait_measuring(STATION)
            keeps_going(net, kiosk, 5)

            (sd / "logs").unlink()  # space comes back
            time.sleep(3)
        finally:
            kiosk.close()
        counts = net.finish("state directory on a full 6 MiB tmpfs")
    log = net.log(STATION)
    assert "SQLITE_FULL" in log or "ENOSPC" in log, log
    assert "has room again" in log, log
    # The cause is logged once per kind of write and run, not once per reading.
    assert log.count("further failures are only counted") < 12, log
    assert "Traceback" not in log, log
    assert_whole(counts)
