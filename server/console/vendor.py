"""Front-end packages installed by ``npm ci`` (package.json at the repository root).

Only the packages named here are served, at ``/static/vendor/<package>/…``; nothing from npm
is copied into the repository.
"""

import logging
from pathlib import Path

log = logging.getLogger("kyusui.console")

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVED_PACKAGES = ("htmx.org", "uplot", "leaflet", "swagger-ui-dist", "redoc")
VENDOR_PREFIX = "/static/vendor"
STATIC_PREFIX = "/static/console"
STATIC_DIR = Path(__file__).parent / "static"


def node_modules(configured: Path | None) -> Path:
    """Where ``npm ci`` put the packages: the setting, else next to package.json."""
    directory = configured if configured is not None else REPO_ROOT / "node_modules"
    missing = [p for p in SERVED_PACKAGES if not (directory / p / "package.json").is_file()]
    if missing:
        log.warning(
            "front-end packages missing from %s (%s): run `npm ci` where package.json is",
            directory,
            ", ".join(missing),
        )
    return directory


def vendor_url(pkg_path: str) -> str:
    """``vendor("uplot/dist/uPlot.iife.min.js")`` → its URL; only served packages."""
    package = pkg_path.split("/", 1)[0]
    if package not in SERVED_PACKAGES:
        raise ValueError(f"{package!r} is not a served front-end package")
    return f"{VENDOR_PREFIX}/{pkg_path}"


def static_url(path: str) -> str:
    return f"{STATIC_PREFIX}/{path}"
