"""docs/provisioning.md cannot drift: its server, Pi and test blocks run, in order, on one
Debian 12 machine under systemd (server and station on the same box), from a checkout."""

from pathlib import Path

from devnet.ports import free_port
from tests.systemd.container import Machine
from tests.systemd.doc_blocks import as_script, shell_blocks
from tests.systemd.rootfs import cached_rootfs
from tests.systemd.station import HOST_CA, INSTALL_ENV, PIP_CACHE, REPO, checkout

PAGE = REPO / "docs" / "provisioning.md"


def test_the_page_marks_blocks_for_server_pi_and_test() -> None:
    kinds = [block.where for block in shell_blocks(PAGE)]
    assert {"server", "pi", "test"} <= set(kinds)
    assert kinds.index("pi") > kinds.index("server")  # the server first, then the station


def test_every_block_of_the_provisioning_page_works(tmp_path: Path) -> None:
    script = tmp_path / "page.sh"
    script.write_text(as_script(shell_blocks(PAGE)))
    PIP_CACHE.mkdir(parents=True, exist_ok=True)
    machine = Machine(
        cached_rootfs(),
        tmp_path / "console.log",
        binds={PIP_CACHE: "/root/.cache/pip", checkout(tmp_path / "kyusui"): "/root/kyusui"},
        read_only={HOST_CA: "/etc/ssl/host-ca.crt", script: "/root/page.sh"},
    ).boot()
    env = INSTALL_ENV | {
        "HOME": "/root",
        "KYUSUI_TEST_BROKER_PORT": str(free_port()),
        "KYUSUI_TEST_API_PORT": str(free_port()),
    }
    try:
        result = machine.run("bash", "/root/page.sh", env=env, check=False, timeout_s=1200)
        assert result.returncode == 0, f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
        out = result.stdout
        assert "password (shown only now)" in out  # the first admin
        assert "the station has reported" in out
        assert "naka-ward-office: オンライン / online" in out
        assert "revoked and retired" in out
        status = machine.run("kyusui-provision", "status", "naka-ward-office", check=False)
        assert (status.returncode, status.stdout.strip()) == (
            1,
            "naka-ward-office: 廃止済み / retired",
        )
    finally:
        machine.poweroff()
