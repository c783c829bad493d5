"""A private InfluxDB 1.x (Debian's ``influxd``) on a loopback port, and an nginx in front
of it that speaks the v2 write API, so ``influxdb-client`` can write into 1.x unchanged.

Both run as child processes in a work directory and stop by PID. Data survives
``stop()``/``start()`` on the same directory (used to cut the database mid-stream).
"""

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from devnet.ports import free_port, wait_for_port
from devnet.processes import stop_process

INFLUX_HINT = "InfluxDB is not installed: run 'sudo apt-get install influxdb' (provides influxd)"
NGINX_HINT = "nginx is not installed: run 'sudo apt-get install nginx'"


@dataclass
class InfluxDB:
    workdir: Path
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _config(self) -> Path:
        rpc = free_port()
        conf = self.workdir / "influxdb.conf"
        conf.write_text(
            f"""reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{self.workdir / "meta"}"
[data]
  dir = "{self.workdir / "data"}"
  wal-dir = "{self.workdir / "wal"}"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:{self.port}"
  log-enabled = false
[monitor]
  store-enabled = false
[logging]
  level = "warn"
[continuous_queries]
  log-enabled = false
"""
        )
        return conf

    def start(self) -> "InfluxDB":
        if shutil.which("influxd") is None:
            raise RuntimeError(INFLUX_HINT)
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.port is None:
            self.port = free_port()
        conf = self._config()
        log = (self.workdir / "influxd.log").open("ab")
        self.process = subprocess.Popen(
            ["influxd", "run", "-config", str(conf)], stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/ping", timeout=1).status_code == 204:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"influxd did not start; see {self.workdir / 'influxd.log'}")

    def query(self, q: str, db: str | None = None) -> httpx.Response:
        params = {"q": q, "epoch": "ms"} | ({"db": db} if db else {})
        return httpx.post(f"{self.url}/query", params=params, timeout=30)

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None


@dataclass
class InfluxV2Gateway:
    """nginx mapping ``POST /api/v2/write?bucket=DB/RP&precision=ms`` onto 1.x ``/write``
    and passing ``/query`` and ``/ping`` through. No auth: the token is ignored."""

    workdir: Path
    backend_port: int
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "InfluxV2Gateway":
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError(NGINX_HINT)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        backend = f"http://127.0.0.1:{self.backend_port}"
        conf = self.workdir / "nginx.conf"
        conf.write_text(
            f"""worker_processes 1;
daemon off;
pid {self.workdir / "nginx.pid"};
error_log {self.workdir / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {self.workdir / "body"};
  proxy_temp_path {self.workdir / "proxy"};
  fastcgi_temp_path {self.workdir / "fastcgi"};
  uwsgi_temp_path {self.workdir / "uwsgi"};
  scgi_temp_path {self.workdir / "scgi"};
  map $arg_bucket $influx_db {{ "~*^([^/%]+)(?:/|%2F)(.+)$" $1; default $arg_bucket; }}
  map $arg_bucket $influx_rp {{ "~*^([^/%]+)(?:/|%2F)(.+)$" $2; default ""; }}
  map $arg_precision $influx_precision {{ ns n; us u; ms ms; s s; default n; }}
  server {{
    listen 127.0.0.1:{self.port};
    client_max_body_size 64m;
    location = /api/v2/write {{
      proxy_set_header Authorization "";
      proxy_pass {backend}/write?db=$influx_db&rp=$influx_rp&precision=$influx_precision;
    }}
    location / {{ proxy_pass {backend}; }}
  }}
}}
"""
        )
        log = (self.workdir / "nginx.log").open("ab")
        self.process = subprocess.Popen(
            [nginx, "-c", str(conf), "-p", str(self.workdir)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"nginx did not start; see {self.workdir}") from None
        return self

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None
