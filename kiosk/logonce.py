"""Warnings about odd data, logged once each: the screen re-checks its data every second."""

import logging

log = logging.getLogger("kyusui.kiosk")
_seen: set[str] = set()


def warn_once(message: str, *args: object) -> None:
    key = message % args
    if key not in _seen:
        _seen.add(key)
        log.warning(message, *args)
