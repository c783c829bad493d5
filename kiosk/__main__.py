"""``kyusui-kiosk``: the station's touchscreen. Reads ``KYUSUI_KIOSK_*`` and kiosk.toml."""

import logging
import os
import signal
import sys

from pydantic import ValidationError

from contract.cli import parse_service_args
from kiosk.fonts import FontMissingError, check_fonts
from kiosk.settings import KioskSettings

log = logging.getLogger("kyusui.kiosk")


def configure_kivy(settings: KioskSettings) -> None:
    """Window and input settings; must run before Kivy creates its window."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    # Notice pictures are PNG or JPEG (server.pictures): SDL2 reads both, so no other
    # image library is loaded (less memory, a quicker start).
    os.environ.setdefault("KIVY_IMAGE", "sdl2")
    from kivy.config import Config

    Config.set("graphics", "width", str(settings.width))
    Config.set("graphics", "height", str(settings.height))
    Config.set("graphics", "fullscreen", "auto" if settings.fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "show_cursor", "0" if settings.fullscreen else "1")
    Config.set("graphics", "maxfps", "30")  # a still screen: fewer wake-ups, less CPU
    Config.set("kivy", "exit_on_escape", "0")  # no way to a desktop from a keyboard
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def load_settings() -> KioskSettings:
    try:
        return KioskSettings()
    except ValidationError as exc:
        sys.exit(f"kyusui-kiosk: bad settings:\n{exc}")


def main(argv: list[str] | None = None) -> None:
    parse_service_args(
        "kyusui-kiosk",
        "Show the station's touchscreen: heat level, notices, read from the agent's state file.",
        "Settings: kiosk.toml (or KYUSUI_KIOSK_CONFIG), then KYUSUI_KIOSK_* variables.",
        argv,
    )
    settings = load_settings()
    try:
        check_fonts(settings.font_regular, settings.font_bold)
    except FontMissingError as exc:
        sys.exit(f"kyusui-kiosk: {exc}")
    configure_kivy(settings)  # also sets up logging, through Kivy's logger
    log.info("kiosk starting with %s", settings.masked())
    from kiosk.app import KioskApp

    app = KioskApp(settings)
    # systemd stops the kiosk with SIGTERM, a terminal with SIGINT: close the window cleanly.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: app.stop())
    app.run()
    sys.exit(app.exit_status)


if __name__ == "__main__":
    main()
