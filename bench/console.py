"""The staff console in Chromium with 1,000 stations, each with a day of readings.

Loads a SQLite time series (a reading every 5 minutes for a day, a health report and an
online status per station) and a SQLite registry with the stations on the map, starts a
private Mosquitto, ingest and ``python -m server.api``, signs a staff user in through the
form and measures in Debian's Chromium:

- the fleet page: time to first contentful paint, and to the live table (the compact fleet
  view drawn by the browser), from navigation start;
- JavaScript and CSS bytes as served (gzip; encoded body sizes) on the fleet and station pages;
- the station page: time from choosing 7 days to the drawn chart;
- publish→page: a new reading published to the broker until its row shows it (p50, p95).

Run ``npm ci`` first (./scripts/test does). The last line is one JSON object.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from contract.levels import level_for  # noqa: E402
from contract.messages import Health, Reading, StationState, Status  # noqa: E402
from devnet.network import SERVER_USER, StationNetwork  # noqa: E402
from devnet.ports import free_port  # noqa: E402
from server.registry import users  # noqa: E402
from server.registry.db import Registry  # noqa: E402
from server.registry.models import Role, Station  # noqa: E402
from server.store.sqlite import SqliteTimeSeries  # noqa: E402

STATIONS = int(os.environ.get("BENCH_STATIONS", "1000"))
STEP_MS = 300_000
PUBLISHES = int(os.environ.get("BENCH_PUBLISHES", "20"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOGIN, PASSWORD = "bench-staff", "bench-password-0123"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def station_id(i: int) -> str:
    return f"st-{i:04d}"


def load(workdir: Path) -> int:
    store = SqliteTimeSeries(workdir / "timeseries.sqlite")
    now = now_ms()
    written = 0
    for i in range(STATIONS):
        sid = station_id(i)
        readings = []
        for ts in range(now - 86_400_000, now - 60_000, STEP_MS):
            wbgt = 20.0 + 12.0 * ((ts // 3_600_000 + i) % 24) / 24
            readings.append(
                Reading(ts=ts, temp_c=wbgt + 6, rh=60.0, wbgt=round(wbgt, 1), level=level_for(wbgt))
            )
        store.write_readings(sid, readings)
        written += len(readings)
        store.record_status(sid, Status(state=StationState.ONLINE, session=1, ts=now), now)
        health = Health(ts=now, session=1, version="1.0", uptime_s=3600.0, outbox_depth=i % 5)
        store.record_health(sid, health, now)
    store.close()
    registry = Registry(f"sqlite:///{workdir / 'registry.sqlite'}")
    with registry.session() as session:
        for i in range(STATIONS):
            session.add(
                Station(
                    id=station_id(i),
                    name_ja=f"給水所 {i:04d}",
                    state="active",
                    area_id=None,
                    latitude=35.40 + (i % 40) * 0.004,
                    longitude=139.58 + (i // 40) * 0.004,
                    exposure="shade",
                    created_at=now,
                )
            )
        users.create(session, LOGIN, "Bench", Role.STAFF, actor="bench", password=PASSWORD)
    registry.close()
    return written


def sign_in(page: Page) -> None:
    page.goto("/login")
    page.fill("#login", LOGIN)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#fleet-rows")


def script_and_style_bytes(page: Page) -> int:
    total: int = page.evaluate(
        """() => performance.getEntriesByType('resource')
            .filter(e => /\\.(js|css)(\\?|$)/.test(e.name))
            .reduce((n, e) => n + e.encodedBodySize, 0)"""
    )
    return total


def fleet_figures(page: Page) -> dict[str, Any]:
    page.goto("/", wait_until="commit")
    page.wait_for_selector("body[data-live='1']", timeout=30_000)
    timing = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const paint = performance.getEntriesByName('first-contentful-paint')[0];
          const live = performance.getEntriesByName('kyusui-live')[0];
          return {fcp: paint ? paint.startTime : null, live: live ? live.startTime : null,
                  dom: nav.domContentLoadedEventEnd, rows: document.querySelectorAll(
                    '#fleet-rows tr').length};
        }"""
    )
    return {
        "fleet_first_render_ms": round(timing["fcp"] or timing["dom"]),
        "fleet_live_table_ms": None if timing["live"] is None else round(timing["live"]),
        "fleet_rows": timing["rows"],
        "fleet_js_css_bytes": script_and_style_bytes(page),
    }


def station_figures(page: Page) -> dict[str, Any]:
    page.goto(f"/stations/{station_id(1)}")
    page.wait_for_selector("#charts[data-drawn]")
    elapsed: float = page.evaluate(
        """() => new Promise(resolve => {
          const root = document.getElementById('charts');
          const started = performance.now();
          const seen = new MutationObserver(() => {
            if (root.hasAttribute('data-drawn')) { seen.disconnect();
              resolve(performance.now() - started); }
          });
          seen.observe(root, {attributes: true});
          document.querySelector("[data-range='7d']").click();
        })"""
    )
    return {
        "station_7d_chart_ms": round(elapsed),
        "station_js_css_bytes": script_and_style_bytes(page),
    }


def stored(network: StationNetwork, sid: str, wbgt: float) -> bool:
    answer = httpx.get(
        f"{network.api_url}/api/v1/stations/{sid}",
        headers={"Authorization": f"Bearer {network.api_token}"},
        timeout=5,
    )
    latest = answer.json().get("latest") or {}
    return bool(latest.get("wbgt") == wbgt)


def publish_delays(page: Page, network: StationNetwork) -> tuple[list[float], list[float]]:
    """Publish → row on the page, and publish → the API answers with it (ingest's share)."""
    assert network.broker is not None
    assert network.broker.port is not None
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id="bench-console", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(SERVER_USER, network.passwords[SERVER_USER])
    client.connect("127.0.0.1", network.broker.port)
    client.loop_start()
    page.goto("/?sort=name")
    page.wait_for_selector("body[data-live='1']", timeout=30_000)
    sid = station_id(7)
    delays, ingest = [], []
    try:
        for n in range(PUBLISHES):
            wbgt = 10.0 + n / 10  # a value no other station shows, one decimal like the table
            body = {
                "v": 1,
                "session": 1,
                "seq": n + 1,
                "readings": [
                    {
                        "ts": now_ms(),
                        "temp_c": 15.0,
                        "rh": 50.0,
                        "wbgt": wbgt,
                        "level": level_for(wbgt).value,
                        "quality": "ok",
                    }
                ],
            }
            started = time.perf_counter()
            info = client.publish(f"kyusui/v1/st/{sid}/telemetry", json.dumps(body), qos=1)
            info.wait_for_publish(10)
            while not stored(network, sid, wbgt) and time.perf_counter() - started < 15:
                time.sleep(0.01)
            ingest.append((time.perf_counter() - started) * 1000)
            page.wait_for_function(
                "([sid, text]) => {"
                " const row = document.querySelector(`tr[data-station='${sid}']`);"
                " return row && row.cells[2].textContent.trim() === text; }",
                arg=[sid, f"{wbgt:.1f}"],
                timeout=15_000,
                polling=20,
            )
            delays.append((time.perf_counter() - started) * 1000)
            time.sleep(0.3)
    finally:
        client.disconnect()
        client.loop_stop()
    return delays, ingest


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kyusui-bench-console-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        readings = load(workdir)
        load_s = time.perf_counter() - started
        network = StationNetwork(
            workdir, stations=(), broker_port=free_port(), api_port=free_port()
        )
        try:
            network.ensure_signing_keys()
            network.start_broker()
            network.start_server()
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                context = browser.new_context(
                    base_url=network.api_url, viewport={"width": 1280, "height": 800}
                )
                page = context.new_page()
                sign_in(page)
                figures = fleet_figures(page)
                figures |= station_figures(page)
                delays, ingest = publish_delays(page, network)
                browser.close()
        finally:
            network.stop()
    quantiles = statistics.quantiles(delays, n=20)
    result = {
        "bench": "console",
        "stations": STATIONS,
        "readings": readings,
        "load_s": round(load_s, 1),
        **figures,
        "publish_to_page_p50_ms": round(statistics.median(delays)),
        "publish_to_page_p95_ms": round(quantiles[18]),
        "publish_to_api_p50_ms": round(statistics.median(ingest)),
        "publishes": len(delays),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
