"""Commands from staff: identify (blink), restart the kiosk, take a screenshot.

Each returns a CommandResult. Runs off the network thread: a screenshot waits for the kiosk.
"""

import base64
import logging
import shlex
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from contract.codec import MAX_COMMAND_RESULT_BYTES, decode, encode
from contract.errors import ContractError
from contract.messages import Command, CommandName, CommandResult
from localstate import open_local_state

log = logging.getLogger("kyusui.agent.commands")
# The PNG travels base64-encoded (4/3 larger) inside a JSON result.
MAX_PNG_BYTES = MAX_COMMAND_RESULT_BYTES * 3 // 4 - 1024


class CommandRunner:
    def __init__(
        self,
        state_dir: Path,
        identify: Callable[[float], None],
        restart_kiosk_command: str,
        now_ms: Callable[[], int],
        screenshot_timeout_s: float = 20.0,
    ) -> None:
        self.state_dir = state_dir
        self.identify = identify
        self.restart_kiosk_command = restart_kiosk_command
        self.now_ms = now_ms
        self.screenshot_timeout_s = screenshot_timeout_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="command")

    def submit(self, payload: bytes, answer: Callable[[bytes], object]) -> None:
        """Run a command off the main loop and ``answer`` with its encoded result; a message
        that is not a command is logged and refused."""
        try:
            command = decode(Command, payload)
        except ContractError as exc:
            log.warning("refused a command: %s", exc.detail)
            return
        self._executor.submit(lambda: answer(encode(self.run(command))))

    def shutdown(self) -> None:
        """Drop commands not yet started; one running finishes on its own."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def run(self, command: Command) -> CommandResult:
        def result(ok: bool, detail: str = "", png: str | None = None) -> CommandResult:
            return CommandResult(cmd_id=command.cmd_id, ok=ok, detail=detail[:200], png_base64=png)

        if command.expires_at <= self.now_ms():
            return result(False, "expired before it reached the station")
        log.info("command %s (%s)", command.name.value, command.cmd_id)
        try:
            if command.name is CommandName.IDENTIFY:
                seconds = float(command.args.get("seconds", 10))
                self.identify(min(max(seconds, 1.0), 300.0))
                return result(True, f"blinking for {seconds:g} s")
            if command.name is CommandName.RESTART_KIOSK:
                return self._restart_kiosk(result)
            return self._screenshot(command.cmd_id, result)
        except Exception as exc:  # a failed command is a result, never a dead agent
            log.exception("command %s failed", command.cmd_id)
            return result(False, f"{type(exc).__name__}: {exc}")

    def _restart_kiosk(self, result: Callable[..., CommandResult]) -> CommandResult:
        try:
            done = subprocess.run(
                shlex.split(self.restart_kiosk_command),
                capture_output=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return result(False, f"could not run {self.restart_kiosk_command!r}: {exc}")
        if done.returncode != 0:
            why = done.stderr.decode(errors="replace").strip().splitlines()
            return result(False, f"exit {done.returncode}: {why[-1] if why else ''}")
        return result(True, "kiosk restarted")

    def _screenshot(self, cmd_id: str, result: Callable[..., CommandResult]) -> CommandResult:
        opened = open_local_state(self.state_dir, create=False)
        state = opened.state
        try:
            state.request_kiosk(cmd_id, "screenshot")
            deadline = time.monotonic() + self.screenshot_timeout_s
            answer = state.kiosk_request_result(cmd_id)
            while answer is None and time.monotonic() < deadline:
                time.sleep(0.2)
                answer = state.kiosk_request_result(cmd_id)
        finally:
            state.close()
        if answer is None:
            return result(False, f"the kiosk did not answer within {self.screenshot_timeout_s:g} s")
        if not answer.ok or not answer.result_path:
            return result(False, answer.detail or "the kiosk could not take a screenshot")
        png = Path(answer.result_path).read_bytes()
        if len(png) > MAX_PNG_BYTES:
            return result(False, f"screenshot is {len(png)} bytes; the limit is {MAX_PNG_BYTES}")
        return result(True, f"{len(png)} bytes", base64.b64encode(png).decode("ascii"))
