"""A local HTTP server standing in for the Ministry's site: real sockets, files we made,
ETag and Last-Modified, and ways to misbehave (status codes, hanging)."""

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class SiteFiles:
    files: dict[str, bytes] = field(default_factory=dict)
    # path → status codes to answer before serving the file (e.g. [503, 503])
    failures: dict[str, list[int]] = field(default_factory=dict)
    hang: set[str] = field(default_factory=set)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


@contextmanager
def official_site(site: SiteFiles) -> Iterator[str]:
    """Serve ``site`` on a free loopback port; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.lstrip("/")
            site.requests.append((path, dict(self.headers.items())))
            if path in site.hang:
                site.release.wait(30)
                return
            pending = site.failures.get(path)
            if pending:
                self.send_error(pending.pop(0))
                return
            body = site.files.get(path)
            if body is None:
                self.send_error(404)
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", "Fri, 07 Aug 2026 11:25:00 GMT")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        site.release.set()
        server.shutdown()
        server.server_close()
