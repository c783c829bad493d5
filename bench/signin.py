"""What a staff sign-in costs: Argon2id hashing and a whole ``POST /api/v1/session``.

Times the password hash and its check with the parameters the server uses, then a real
``python -m server.api`` on a SQLite registry: sequential sign-ins over HTTP, and requests
made with the session cookie against the same requests made with an API token (each is
one registry look-up per request). The last line is one JSON object.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devnet.ports import free_port, wait_for_port  # noqa: E402
from server.auth.passwords import hash_password, verify_password  # noqa: E402
from server.registry import tokens, users  # noqa: E402
from server.registry.db import Registry  # noqa: E402
from server.registry.models import Role  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
PASSWORD = "a password for the benchmark"


def median_ms(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    stored = hash_password(PASSWORD)
    result: dict[str, object] = {
        "bench": "signin",
        "rounds": ROUNDS,
        "hash_ms": median_ms(lambda: hash_password(PASSWORD)),
        "verify_ms": median_ms(lambda: verify_password(stored, PASSWORD)),
    }
    with tempfile.TemporaryDirectory(prefix="kyusui-bench-signin-") as tmp:
        work = Path(tmp)
        registry = Registry(f"sqlite:///{work / 'registry.sqlite'}")
        with registry.session() as session:
            users.create(session, "bench", "Bench", Role.STAFF, actor="bench", password=PASSWORD)
            _, token = tokens.issue(session, "bench", Role.STAFF)
        registry.close()
        port = free_port()
        env = os.environ | {
            "KYUSUI_SERVER_CONFIG": str(work / "none.toml"),
            "KYUSUI_SERVER_REGISTRY_PATH": str(work / "registry.sqlite"),
            "KYUSUI_SERVER_TIMESERIES_PATH": str(work / "ts.sqlite"),
            "KYUSUI_SERVER_API_PORT": str(port),
            # Sign-ins from one address in a loop would otherwise be held back.
            "KYUSUI_SERVER_CONSOLE_CLIENT_FAILURES": "1000000",
        }
        api = subprocess.Popen([sys.executable, "-m", "server.api"], env=env, cwd=ROOT)
        try:
            wait_for_port(port, timeout_s=30)
            base = f"http://127.0.0.1:{port}"
            body = {"login": "bench", "password": PASSWORD}
            with httpx.Client(base_url=base, timeout=30) as browser:
                result["sign_in_ms"] = median_ms(lambda: browser.post("/api/v1/session", json=body))
                assert browser.get("/api/v1/session").status_code == 200
                result["cookie_get_ms"] = median_ms(lambda: browser.get("/api/v1/areas"), 200)
            with httpx.Client(
                base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}
            ) as client:
                result["bearer_get_ms"] = median_ms(lambda: client.get("/api/v1/areas"), 200)
        finally:
            api.terminate()
            api.wait(10)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
