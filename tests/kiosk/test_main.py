"""Starting ``kyusui-kiosk`` with a bad setup stops at once with a message that says why."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KYUSUI_KIOSK_")}
    return subprocess.run(
        [sys.executable, "-m", "kiosk"],
        cwd=REPO,
        env={**clean, "KYUSUI_KIOSK_STATE_DIR": str(tmp_path), "KIVY_HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_missing_font_is_named_with_the_package_to_install(tmp_path: Path) -> None:
    done = start(tmp_path, KYUSUI_KIOSK_FONT_REGULAR=str(tmp_path / "NoSuchFont.ttc"))
    assert done.returncode != 0
    assert "NoSuchFont.ttc" in done.stderr
    assert "fonts-noto-cjk" in done.stderr


def test_a_bad_setting_is_reported_not_guessed(tmp_path: Path) -> None:
    done = start(tmp_path, KYUSUI_KIOSK_CAROUSEL_DWELL_S="soon")
    assert done.returncode != 0
    assert "carousel_dwell_s" in done.stderr
