"""The kiosk's real parts: an Xvfb display, the kiosk window in a subprocess, tesseract.

A missing Xvfb, tesseract (or one of its languages) or the font fails the test with what to
install; nothing is skipped.
"""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devnet.processes import stop_process
from devnet.xvfb import start_xvfb

# A display schedule that never dims: in a state file, and as agent settings.
ALWAYS_ON = {"on_start": "00:00", "on_end": "00:00", "stale_after_s": 600}
ALWAYS_ON_SETTINGS = {"display_on_start": "00:00", "display_on_end": "00:00"}

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "kiosk"
OCR_LANGS = ("jpn", "chi_sim", "kor", "vie", "eng")
DRIVER_TIMEOUT_S = 240

RunKiosk = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def xvfb_display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private X display big enough for every layout; stopped at the end of the session."""
    try:
        process, display = start_xvfb("1920x1080x24")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield display
    stop_process(process)


@pytest.fixture(scope="session")
def tesseract() -> str:
    """The tesseract binary, with every language the kiosk shows."""
    binary = shutil.which("tesseract")
    if binary is None:
        pytest.fail("tesseract is not installed: apt-get install tesseract-ocr")
    listed = subprocess.run(
        [binary, "--list-langs"], capture_output=True, text=True, check=False
    ).stdout.split()
    missing = [lang for lang in OCR_LANGS if lang not in listed]
    if missing:
        pytest.fail(
            "tesseract lacks languages "
            + ", ".join(missing)
            + ": apt-get install "
            + " ".join("tesseract-ocr-" + m.replace("_", "-") for m in missing)
        )
    return binary


def run_driver(
    display: str,
    tmp: Path,
    name: str,
    steps: list[dict[str, Any]],
    state_dir: Path | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """Run one batch of steps in a fresh kiosk process; returns the driver's results."""
    out_dir = ARTIFACTS / name
    if out_dir.exists():
        shutil.rmtree(out_dir)
    state_dir = state_dir or tmp / f"{name}-state"
    plan = {
        "state_dir": str(state_dir),
        "out_dir": str(out_dir),
        "settings": settings,
        "steps": steps,
    }
    plan_file = tmp / f"{name}-plan.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False))
    kivy_home = tmp / f"kivy-home-{name}"  # batches run side by side: one Kivy home each
    kivy_home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DISPLAY": display,
        "KIVY_NO_ARGS": "1",
        "KIVY_HOME": str(kivy_home),
        "KIVY_NO_CONSOLELOG": "1",
        "KIVY_NO_FILELOG": "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.kiosk.driver", str(plan_file)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=DRIVER_TIMEOUT_S,
        check=False,
    )
    results_file = out_dir / "results.json"
    if done.returncode != 0 or not results_file.exists():
        pytest.fail(f"kiosk batch {name} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    results: dict[str, Any] = json.loads(results_file.read_text())
    results["state_dir"] = str(state_dir)
    assert not results["errors"], results["errors"]
    return results
