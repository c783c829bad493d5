"""The managed broker's password and ACL files: add, replace or remove one station's entries.

Mosquitto re-reads both files on reload (SIGHUP) and disconnects every client whose password
no longer matches, so a replaced or revoked station is cut off at once.
"""

import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path


def passwd_users(text: str) -> set[str]:
    return {line.split(":", 1)[0] for line in text.splitlines() if ":" in line}


def without_passwd_user(text: str, user: str) -> str:
    kept = [line for line in text.splitlines() if line.split(":", 1)[0] != user]
    return "".join(f"{line}\n" for line in kept if line.strip())


def without_acl_user(text: str, user: str) -> str:
    """Drop the ``user <user>`` block (up to the next ``user``/``pattern`` line or blank)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        words = line.split()
        if words[:1] == ["user"]:
            skipping = words[1:] == [user]
        elif not words or words[0] == "pattern":
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


def with_acl_rule(text: str, user: str, rule: str) -> str:
    """The station's rule goes first: Mosquitto reads ``user`` blocks before the patterns."""
    return rule.rstrip("\n") + "\n\n" + without_acl_user(text, user).lstrip("\n")


def write_keeping_mode(path: Path, text: str) -> None:
    """Replace ``path`` atomically, keeping its owner and mode (the broker must still read it)."""
    before = path.stat() if path.exists() else None
    partial = path.with_name(path.name + ".new")
    partial.write_text(text, encoding="utf-8")
    if before is not None:
        os.chmod(partial, before.st_mode & 0o7777)
        if os.geteuid() == 0:
            os.chown(partial, before.st_uid, before.st_gid)
    partial.replace(path)


@dataclass(frozen=True)
class ManagedBroker:
    passwd_file: Path
    acl_file: Path
    reload_command: str

    def has_station(self, station_id: str) -> bool:
        return self.passwd_file.exists() and station_id in passwd_users(
            self.passwd_file.read_text(encoding="utf-8")
        )

    def put_station(self, station_id: str, passwd_line: str, acl_rule: str) -> None:
        passwd = self.passwd_file.read_text(encoding="utf-8") if self.passwd_file.exists() else ""
        acl = self.acl_file.read_text(encoding="utf-8") if self.acl_file.exists() else ""
        write_keeping_mode(
            self.passwd_file, without_passwd_user(passwd, station_id) + passwd_line.strip() + "\n"
        )
        write_keeping_mode(self.acl_file, with_acl_rule(acl, station_id, acl_rule))
        self.reload()

    def remove_station(self, station_id: str) -> None:
        if self.passwd_file.exists():
            passwd = self.passwd_file.read_text(encoding="utf-8")
            write_keeping_mode(self.passwd_file, without_passwd_user(passwd, station_id))
        if self.acl_file.exists():
            acl = self.acl_file.read_text(encoding="utf-8")
            write_keeping_mode(self.acl_file, without_acl_user(acl, station_id))
        self.reload()

    def reload(self) -> None:
        result = subprocess.run(
            shlex.split(self.reload_command), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"Mosquitto を再読み込みできません / could not reload the broker with"
                f" {self.reload_command!r}: {result.stderr.strip() or result.returncode}"
            )
