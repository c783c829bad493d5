"""``kyusui-api``: help that touches nothing, and the first admin from the command line."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.alerts.notify import NoNotifier
from server.api.app import create_app
from server.api.cli import EXIT_EXISTS, EXIT_UNKNOWN, main
from server.registry.db import Registry
from server.settings import ServerSettings
from server.store.sqlite import SqliteTimeSeries
from tests.auth.helpers import PASSWORD

KYUSUI_API = Path(sys.executable).parent / "kyusui-api"


@pytest.fixture
def server_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, registry_url: str, quick_hashing: None
) -> str:
    """The CLI's settings come from the environment, as on a server: the test registry."""
    monkeypatch.setenv("KYUSUI_SERVER_CONFIG", str(tmp_path / "no-such.toml"))
    monkeypatch.setenv("KYUSUI_SERVER_REGISTRY_URL", registry_url)
    return registry_url


def run(args: list[str], stdin: str = "") -> int:
    return main(args, stdin=io.StringIO(stdin))


def signs_in(registry_url: str, tmp_path: Path, login: str, password: str) -> int:
    registry = Registry(registry_url)
    store = SqliteTimeSeries(tmp_path / "ts.sqlite")
    settings = ServerSettings(registry_url=registry_url, alert_check_interval_s=3600)
    try:
        with TestClient(create_app(settings, store, registry, NoNotifier())) as client:
            body = {"login": login, "password": password}
            return int(client.post("/api/v1/session", json=body).status_code)
    finally:
        store.close()
        registry.close()


def test_help_exits_without_creating_anything(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "KYUSUI_SERVER_CONFIG": str(tmp_path / "server.toml"),
        "KYUSUI_SERVER_REGISTRY_PATH": str(tmp_path / "data" / "registry.sqlite"),
        "KYUSUI_SERVER_TIMESERIES_PATH": str(tmp_path / "data" / "timeseries.sqlite"),
        "KYUSUI_SERVER_API_PORT": "1",  # would fail at once if it tried to serve
    }
    done = subprocess.run(
        [str(KYUSUI_API), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: kyusui-api")
    for command in ("serve", "migrate", "user add LOGIN --role admin"):
        assert command in done.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [["serve"], ["migrate"], ["user"]]
    + [["user", action] for action in ("add", "list", "passwd", "disable", "enable")],
)
def test_every_command_has_help_that_touches_nothing(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KYUSUI_SERVER_CONFIG", str(tmp_path / "server.toml"))
    monkeypatch.setenv("KYUSUI_SERVER_REGISTRY_PATH", str(tmp_path / "registry.sqlite"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        run([*args, "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: kyusui-api {' '.join(args)}")
    assert list(tmp_path.iterdir()) == []


def test_the_cli_creates_the_first_admin_who_then_signs_in(
    server_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["user", "add", "tanaka", "--role", "admin", "--name", "田中"]) == 0
    printed = capsys.readouterr().out
    password = printed.split("password (shown only now): ")[1].strip()
    assert len(password) >= 20
    assert run(["user", "list"]) == 0
    listed = capsys.readouterr().out
    assert "tanaka" in listed
    assert "admin" in listed
    assert "田中" in listed
    assert password not in listed
    assert signs_in(server_env, tmp_path, "tanaka", password) == 200
    assert signs_in(server_env, tmp_path, "tanaka", "wrong password") == 401


def test_the_cli_takes_a_password_on_stdin_and_disables_users(
    server_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["user", "add", "mori", "--role", "staff", "--password-stdin"], PASSWORD + "\n") == 0
    assert PASSWORD not in capsys.readouterr().out
    assert run(["user", "add", "MORI", "--role", "reader", "--password-stdin"], PASSWORD) == (
        EXIT_EXISTS
    )
    assert signs_in(server_env, tmp_path, "mori", PASSWORD) == 200
    assert run(["user", "passwd", "mori", "--password-stdin"], "too short\n") == 1
    assert "10" in capsys.readouterr().err
    assert run(["user", "passwd", "mori", "--password-stdin"], "a brand new password\n") == 0
    assert signs_in(server_env, tmp_path, "mori", "a brand new password") == 200
    assert run(["user", "disable", "mori"]) == 0
    assert signs_in(server_env, tmp_path, "mori", "a brand new password") == 401
    assert run(["user", "disable", "nobody"]) == EXIT_UNKNOWN
    assert run(["user", "add", "two words", "--role", "staff"]) == 1
    assert "two words" in capsys.readouterr().err
    assert run(["user", "enable", "mori"]) == 0
    assert signs_in(server_env, tmp_path, "mori", "a brand new password") == 200
