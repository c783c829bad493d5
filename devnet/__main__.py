"""``kyusui-devnet``: run a complete local station network until Ctrl-C."""

import argparse
import signal
import sys
import tempfile
import threading
from pathlib import Path

from devnet.network import StationNetwork
from devnet.seed import seed_demo


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a local Kyusui station network.")
    parser.add_argument("--workdir", type=Path, help="where to keep data and logs (default: temp)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between readings")
    parser.add_argument("--api-port", type=int, help="default: 8000 or the next free port")
    parser.add_argument("--broker-port", type=int, help="default: 18830 or the next free port")
    parser.add_argument(
        "--official-url",
        help="import official heat data from this site (a local file server in trials; "
        "docs/official-data.md)",
    )
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kyusui-demo-"))
    network = StationNetwork(
        workdir,
        reading_interval_s=args.interval,
        api_port=args.api_port,
        broker_port=args.broker_port,
        official_url=args.official_url,
    )
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        network.start()
        seed_demo(network)
    except RuntimeError as exc:
        network.stop()
        sys.exit(f"demo: {exc}")
    assert network.broker is not None
    print(f"broker: {network.broker.url}", flush=True)
    print(f"api: {network.api_url}  (OpenAPI: {network.api_url}/docs)", flush=True)
    print(f"api token: {network.api_token}", flush=True)
    print(f"console: {network.console_url}", flush=True)
    print(f"login: {network.admin_login} {network.admin_password}", flush=True)
    if network.official_url:
        print(f"official data: {network.official_url}", flush=True)
    for spec in network.stations:
        print(f"station: {spec.id} (area {spec.area})", flush=True)
    print(f"logs: {workdir / 'logs'}", flush=True)
    print("Ctrl-C stops everything.", flush=True)
    while not stop.wait(1.0):
        dead = network.children.dead()
        if dead:
            print(f"demo: {', '.join(dead)} stopped; see {workdir / 'logs'}", file=sys.stderr)
            break
    network.stop()
    print("stopped.", flush=True)


if __name__ == "__main__":
    main()
