"""Kiosk start-up, memory and idle CPU under Xvfb, with the notice carousel running.

    .venv/bin/python bench/kiosk.py [--settle 10] [--measure 20]

Starts a private Xvfb and ``python -m kiosk`` on a local state with a reading, a 24 h trend
and five notices turning every 3 s, then prints figures; the last line is one JSON object
``{"first_frame_s", "rss_mb", "idle_cpu_pct", "notice_shown_s", "alert_shown_s",
"disaster_shown_s"}``. Targets
on a 2-core machine: first frame ≤ 2 s, RSS ≤ 200 MB, idle CPU ≤ 10 % of one core. The last
three are how long a new urgent notice, a new heat alert and disaster mode take to be on
screen after the
agent writes them: the kiosk reads the state every ``refresh_s`` (2 s), and a screenshot
request written with the change is answered with the first frame that shows it.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.procstat import cpu_s, status_mb  # noqa: E402
from contract.levels import level_for  # noqa: E402
from devnet.places import NAKA_PLACES, STATION_SITES  # noqa: E402
from devnet.processes import stop_process  # noqa: E402
from devnet.xvfb import start_xvfb  # noqa: E402
from localstate import (  # noqa: E402
    AlertView,
    DisplaySchedule,
    EmergencyView,
    NoticeView,
    PlaceListView,
    ReadingView,
    ShelterView,
    Site,
    open_local_state,
)


def write_state(state_dir: Path) -> None:
    state = open_local_state(state_dir).state
    now = time.time_ns() // 1_000_000
    state.set_station("bench-01", "ベンチ給水所", "Bench water station", "naka")
    # The demo's places in Naka ward, so the nearest places are worked out every update.
    latitude, longitude, address = STATION_SITES["yokohama-naka-01"]
    state.set_site(Site(latitude, longitude, address))
    state.set_places(
        PlaceListView(
            "area-naka",
            1,
            [p.model_dump(mode="json", exclude_none=True) for p in NAKA_PLACES],
            None,
        )
    )
    state.set_display(DisplaySchedule("00:00", "00:00", 600))
    for i in range(96):
        wbgt = 22 + 8 * abs((i % 48) - 24) / 24
        ts = now - 86_400_000 + i * 900_000
        state.write_reading(
            ReadingView(ts, 30.0, 60.0, wbgt, level_for(wbgt).value, "ok", "synced")
        )
    state.write_reading(ReadingView(now, 31.0, 62.0, 27.4, "warning", "ok", "synced"))
    state.write_agent_status("ok", "online")
    for i in range(5):
        title = {"ja": f"お知らせ {i + 1}", "en": f"Notice {i + 1}"}
        body = {"ja": "こまめに水分をとりましょう。" * 3}
        state.upsert_notice(NoticeView(f"n{i}", 1, "normal", title, body, None, None, None))
    state.close()


def time_to_show(state_dir: Path, name: str, change: str) -> float:
    """Seconds from writing ``change`` (with a screenshot request) to the frame showing it."""
    state = open_local_state(state_dir).state
    now = time.time_ns() // 1_000_000
    started = time.monotonic()
    with state.transaction():
        if change == "notice":
            title = {"ja": "断水のお知らせ", "en": "Water cut"}
            notice = NoticeView(f"urgent-{now}", 1, "urgent", title, {}, None, None, None)
            state.upsert_notice(notice)
        elif change == "alert":
            message = {"ja": "外出はなるべく避けてください。"}
            state.set_alert(AlertView("heatstroke_alert", now, 33.0, None, message, None))
        else:
            shelters = (ShelterView({"ja": "本町小学校"}, {}), ShelterView({"ja": "港中学校"}, {}))
            message = {"ja": "大雨のため避難所を開設しました。"}
            state.set_emergency(EmergencyView("e-all", now, None, message, shelters, now, None))
        state.request_kiosk(name, "screenshot")
    try:
        while time.monotonic() - started < 30:
            row = state.conn.execute(
                "SELECT done_at, ok FROM kiosk_requests WHERE request_id = ?", (name,)
            ).fetchone()
            if row is not None and row[0] is not None:
                if not row[1]:
                    sys.exit(f"bench/kiosk.py: the kiosk could not take screenshot {name}")
                return time.monotonic() - started
            time.sleep(0.02)
    finally:
        state.close()
    sys.exit(f"bench/kiosk.py: the {change} never appeared")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settle", type=float, default=10.0, help="seconds before measuring")
    parser.add_argument("--measure", type=float, default=20.0, help="seconds of CPU sampling")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kyusui-kiosk-bench-"))
    write_state(work / "state")
    try:
        xvfb, display = start_xvfb("800x480x24")
    except RuntimeError as exc:
        sys.exit(f"bench/kiosk.py: {exc}")
    env = {
        **os.environ,
        "DISPLAY": display,
        "KIVY_HOME": str(work / "kivy"),
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_FILELOG": "1",
        "KYUSUI_KIOSK_STATE_DIR": str(work / "state"),
        "KYUSUI_KIOSK_CAROUSEL_DWELL_S": "3",
    }
    kiosk: subprocess.Popen[bytes] | None = None
    try:
        started = time.monotonic()
        kiosk = subprocess.Popen(
            [sys.executable, "-m", "kiosk"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert kiosk.stderr is not None
        first_frame_s = None
        for raw in kiosk.stderr:
            if b"first frame drawn" in raw:
                first_frame_s = time.monotonic() - started
                break
        if first_frame_s is None:
            sys.exit(f"bench/kiosk.py: the kiosk exited ({kiosk.wait()}) before its first frame")
        # Keep draining the log so the kiosk never blocks on a full pipe.
        drain = threading.Thread(target=kiosk.stderr.read, daemon=True)
        drain.start()
        time.sleep(args.settle)
        cpu0, wall0 = cpu_s(kiosk.pid), time.monotonic()
        time.sleep(args.measure)
        cpu1, wall1 = cpu_s(kiosk.pid), time.monotonic()
        figures = {
            "first_frame_s": round(first_frame_s, 2),
            "rss_mb": round(status_mb(kiosk.pid), 1),
            "idle_cpu_pct": round(100 * (cpu1 - cpu0) / (wall1 - wall0), 1),
            "notice_shown_s": round(time_to_show(work / "state", "bench-notice", "notice"), 2),
            "alert_shown_s": round(time_to_show(work / "state", "bench-alert", "alert"), 2),
            "disaster_shown_s": round(
                time_to_show(work / "state", "bench-disaster", "disaster"), 2
            ),
        }
    finally:
        if kiosk is not None:
            stop_process(kiosk)
        stop_process(xvfb)
        shutil.rmtree(work, ignore_errors=True)
    print(f"first frame after {figures['first_frame_s']} s (target ≤ 2 s)")
    print(f"resident memory {figures['rss_mb']} MB (target ≤ 200 MB)")
    print(f"idle CPU {figures['idle_cpu_pct']} % of one core, carousel turning (target ≤ 10 %)")
    print(f"a new urgent notice on screen after {figures['notice_shown_s']} s (refresh_s 2 s)")
    print(f"a new heat alert on screen after {figures['alert_shown_s']} s")
    print(f"disaster mode on screen after {figures['disaster_shown_s']} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
