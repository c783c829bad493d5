"""A private X display (Xvfb) for kiosk tests and benchmarks on machines without a screen."""

import os
import shutil
import subprocess

INSTALL_HINT = "Xvfb is not installed: run 'sudo apt-get install xvfb xauth libmtdev1'"


def start_xvfb(size: str = "1920x1080x24") -> tuple[subprocess.Popen[bytes], str]:
    """Start Xvfb on the first free display; return the process and its ``DISPLAY`` value."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise RuntimeError(INSTALL_HINT)
    read_fd, write_fd = os.pipe()
    # -displayfd: Xvfb picks a free display itself and writes its number once it is ready.
    process = subprocess.Popen(
        [binary, "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        process.kill()
        process.wait()
        raise RuntimeError("Xvfb did not start (it reported no display number)")
    return process, f":{number}"
