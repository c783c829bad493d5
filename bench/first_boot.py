"""Time from ``kyusui-provision enrol`` to the first reading stored on the server, for a
station installed with the real installer on Debian 12 under systemd (systemd-nspawn).

Includes booting the machine and the installer's pip install (from pip's cache after the
first run). Needs root, debootstrap and systemd-nspawn (``./scripts/test`` installs them).

Usage: python -m bench.first_boot
The last line printed is one JSON object: {"enrol_to_first_stored_reading_s"}.
"""

import json
import tempfile
from pathlib import Path

from tests.systemd.station import build_wheel, installed_station


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kyusui-bench-") as tmp:
        workdir = Path(tmp)
        wheel = build_wheel(workdir / "wheels")
        with installed_station(workdir, "bench-first-boot", wheel) as station:
            seconds = station.enrol_to_first_reading_s
    print(json.dumps({"enrol_to_first_stored_reading_s": round(seconds, 1)}))


if __name__ == "__main__":
    main()
