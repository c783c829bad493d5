"""The few system changes the installers make: accounts, files with owners and modes, units.

Every change is made only when something differs, so running an installer twice changes
nothing the second time. Files are written beside their target and renamed into place, so a
power cut leaves either the old file or the new one.
"""

import grp
import os
import pwd
import subprocess
import sys
from pathlib import Path

SERVICE_USER = "kyusui"
SYSTEMD_DIR = Path("/etc/systemd/system")


def run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return result.stdout


def ensure_group(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return False
    except KeyError:
        run("groupadd", "--system", name)
        return True


def ensure_user(name: str, home: Path, groups: tuple[str, ...]) -> bool:
    """A system user with its own group, no login, and membership of ``groups``."""
    changed = ensure_group(name)
    for group in groups:
        changed |= ensure_group(group)
    try:
        pwd.getpwnam(name)
    except KeyError:
        run(
            "useradd", "--system", "--gid", name, "--home-dir", str(home), "--no-create-home",
            "--shell", "/usr/sbin/nologin", "--comment", "Kyusui", name,
        )  # fmt: skip
        changed = True
    member_of = {g.gr_name for g in grp.getgrall() if name in g.gr_mem}
    missing = [g for g in groups if g not in member_of]
    if missing:
        run("usermod", "--append", "--groups", ",".join(missing), name)
        changed = True
    return changed


def _ids(owner: str, group: str) -> tuple[int, int]:
    return pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid


def ensure_dir(path: Path, mode: int, owner: str = "root", group: str = "root") -> bool:
    uid, gid = _ids(owner, group)
    changed = not path.is_dir()
    path.mkdir(parents=True, exist_ok=True)
    now = path.stat()
    if (now.st_uid, now.st_gid) != (uid, gid):
        os.chown(path, uid, gid)
        changed = True
    if now.st_mode & 0o7777 != mode:
        os.chmod(path, mode)
        changed = True
    return changed


def put_file(path: Path, data: bytes, mode: int, owner: str = "root", group: str = "root") -> bool:
    """Make ``path`` hold ``data`` with this mode and owner; True when anything changed."""
    uid, gid = _ids(owner, group)
    if path.is_file():
        now = path.stat()
        if (
            path.read_bytes() == data
            and (now.st_uid, now.st_gid) == (uid, gid)
            and now.st_mode & 0o7777 == mode
        ):
            return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".new")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    partial.replace(path)
    return True


def units_dir() -> Path:
    """The shipped unit files: in the installed package's data, or in a checkout."""
    for candidate in (
        Path(sys.prefix) / "share" / "kyusui" / "systemd",
        Path(__file__).resolve().parents[1] / "systemd",
    ):
        if (candidate / "kyusui-agent.service").is_file():
            return candidate
    raise FileNotFoundError("the Kyusui unit files are missing from this installation")


def install_units(names: tuple[str, ...]) -> bool:
    changed = False
    for name in names:
        changed |= put_file(SYSTEMD_DIR / name, (units_dir() / name).read_bytes(), 0o644)
    if changed:
        run("systemctl", "daemon-reload")
    return changed


def systemctl(*args: str) -> str:
    return run("systemctl", *args)


def unit_state(unit: str) -> str:
    result = subprocess.run(
        ["systemctl", "is-active", unit], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or "unknown"


def journal_tail(unit: str, lines: int = 15) -> str:
    result = subprocess.run(
        ["journalctl", "-u", unit, "-n", str(lines), "--no-pager", "-o", "cat"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()


def link_command(name: str, bin_dir: Path = Path("/usr/local/bin")) -> bool:
    """Put the venv's ``name`` on root's PATH (``/usr/local/bin``)."""
    target = Path(sys.executable).with_name(name)
    link = bin_dir / name
    if link.is_symlink() and link.readlink() == target:
        return False
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    return True
