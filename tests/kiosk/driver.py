"""Runs the real kiosk window through a list of scenario steps and records what it showed.

Kivy opens one window per process, so each test batch runs this as a subprocess::

    python -m tests.kiosk.driver plan.json

A plan is {"state_dir", "out_dir", "settings": {...}, "steps": [...]}; every step is a dict
with "op": ``state`` (apply a statefile spec), ``remove_state``, ``corrupt_state``,
``advance`` (move the kiosk's clock on by "s" seconds), ``touch`` (a real touch on a widget
id, a language button "lang:<code>", with optional "swipe_px"), ``resize`` and ``shot``
(save a PNG and the on-screen rectangles of the named widgets). The results go to
``<out_dir>/results.json``.
"""

import json
import os
import sys
import time
import traceback
from collections import deque
from pathlib import Path
from typing import Any

from kiosk.__main__ import configure_kivy
from kiosk.settings import KioskSettings
from tests.kiosk import statefile

SETTLE_FRAMES = 4  # label textures are rebuilt on the frame after a change
RECT_IDS = (
    "band", "level_row", "level_word", "guidance", "wbgt", "wbgt_label", "details", "water",
    "lower", "notice", "notice_title", "notice_body", "takeover", "takeover_word",
    "takeover_label", "takeover_value", "takeover_guidance", "alert", "alert_text",
    "alert_detail", "langbar", "offline", "trend", "station", "clock", "pinpad", "stage",
    "topbar", "admin_corner", "tk_details", "pin_cancel", "disaster", "disaster_headline",
    "disaster_message", "disaster_shelters", "disaster_card",
    "topbar", "admin_corner", "tk_details", "pin_cancel", "forecast", "forecast_text",
    "forecast_source", "water_line", "tk_help_button", "help_button", "band_help_button",
    "details_row", "tk_nearby",
    "places_title", "place_0", "place_1", "place_2", "place_3", "places_note", "help_title",
    "help_step_0", "help_step_3", "help_address", "help_not_119", "help_confirm",
    "alert_head", "alert_read", "alert_forecast", "alert_tag", "alert_message",
    "alert_panel_forecast", "alert_panel_tag", "alert_panel_message", "alert_close",
)  # fmt: skip


class Driver:
    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.state_dir = Path(plan["state_dir"])
        self.out_dir = Path(plan["out_dir"])
        self.offset_s = 0.0
        self.steps: deque[dict[str, Any]] = deque(plan["steps"])
        self.frames = 0
        self.waiting_for_shot = False
        self.results: dict[str, Any] = {"shots": {}, "errors": []}
        settings = KioskSettings(state_dir=self.state_dir, **plan.get("settings", {}))
        configure_kivy(settings)
        from kiosk.app import KioskApp

        self.app = KioskApp(settings, now=self.now)

    def now(self) -> float:
        return time.time() + self.offset_s

    def run(self) -> None:
        from kivy.clock import Clock

        Clock.schedule_interval(self.pump, 0)
        self.app.run()
        # Also when the kiosk left by itself (the technician's PIN) before the last step.
        self.results["exit_status"] = self.app.exit_status
        self.results["steps_left"] = len(self.steps)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        (self.out_dir / "results.json").write_text(json.dumps(self.results, ensure_ascii=False))

    def pump(self, _dt: float) -> bool:
        from kivy.core.window import Window

        if self.waiting_for_shot or self.frames > 0:
            self.frames = max(0, self.frames - 1)
            Window.canvas.ask_update()
            return True
        if not self.steps:
            self.finish()
            return False
        step = self.steps.popleft()
        try:
            self.do(step)
        except Exception:
            self.results["errors"].append(f"{step}: {traceback.format_exc()}")
        return True

    def finish(self) -> None:
        self.app.source.close()
        self.app.stop()

    def do(self, step: dict[str, Any]) -> None:
        op = step["op"]
        if op == "state":
            state = statefile.open_state(self.state_dir)
            statefile.apply(state, step["spec"], int(self.now() * 1000))
            state.close()
            self.app.update(read=True)
        elif op == "remove_state":
            self.app.source.close()  # a deleted file can still be open: see the real gap
            statefile.remove_state(self.state_dir)
            self.app.update(read=True)
        elif op == "corrupt_state":
            statefile.corrupt_state(self.state_dir)
            self.app.update(read=True)
        elif op == "advance":
            self.offset_s += step["s"]
            self.app.update(read=True)
        elif op == "touch":
            for _ in range(step.get("times", 1)):
                self.touch(step["target"], step.get("swipe_px", 0), step.get("hold_s", 0))
        elif op == "request_screenshot":
            state = statefile.open_state(self.state_dir)
            state.request_kiosk(step["id"], "screenshot")  # as the agent asks
            state.close()
        elif op == "large_text":
            self.touch("lang:large-text", 0)
        elif op == "resize":
            from kivy.core.window import Window

            Window.size = tuple(step["size"])
            self.frames = SETTLE_FRAMES * 2
            return
        elif op == "shot":
            self.steps.appendleft({"op": "_capture", "name": step["name"]})
        elif op == "_capture":
            self.capture(step["name"])
            return
        else:
            raise ValueError(f"unknown step {op}")
        self.frames = SETTLE_FRAMES

    def widget(self, target: str) -> Any:
        if target.startswith("lang:"):
            return self.app.lang_buttons[target.removeprefix("lang:")]
        if target.startswith("pin:"):
            key = target.removeprefix("pin:")
            return next(k for k in self.app.root.ids.pinkeys.children if k.key == key)
        widget = self.ids().get(target)
        if widget is None:
            raise KeyError(target)
        return widget

    def ids(self) -> dict[str, Any]:
        """Every widget id: the root's and those inside the home and takeover rules."""
        root = self.app.root
        panels = {k: v for p in self.app.panels.values() for k, v in p.ids.items()}
        return {
            **root.ids,
            **root.ids.home.ids,
            **root.ids.takeover.ids,
            **root.ids.disaster.ids,
            **panels,
        }

    def touch(self, target: str, swipe_px: float, hold_s: float = 0) -> None:
        from kivy.tests.common import UnitTestTouch

        widget = self.widget(target)
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.offset_s += hold_s  # held still this long
        if swipe_px:
            touch.touch_move(x + swipe_px / 2, y)
            touch.touch_move(x + swipe_px, y)
        touch.touch_up()

    def rects(self) -> dict[str, list[float]]:
        """Widget rectangles in image coordinates (origin top left), as [x, y, w, h]."""
        from kivy.core.window import Window

        out: dict[str, list[float]] = {}
        ids = self.ids()
        for name in RECT_IDS:
            widget = ids.get(name)
            if widget is None:
                continue
            x, y = widget.to_window(*widget.pos)
            out[name] = [x, Window.height - y - widget.height, widget.width, widget.height]
        for code, button in self.app.lang_buttons.items():
            x, y = button.to_window(*button.pos)
            out[f"lang:{code}"] = [
                x,
                Window.height - y - button.height,
                button.width,
                button.height,
            ]
        return out

    def labels(self) -> dict[str, dict[str, Any]]:
        """Every visible label with an id: its font size, its box and its text's size."""
        from kivy.uix.label import Label

        out: dict[str, dict[str, Any]] = {}
        for name, widget in self.ids().items():
            if not isinstance(widget, Label) or not widget.text:
                continue
            shown = widget.opacity > 0 and all(p.opacity > 0 for p in self.parents(widget))
            out[name] = {
                "font_size": float(widget.font_size),
                "size": [float(widget.width), float(widget.height)],
                "texture": [float(v) for v in widget.texture_size],
                "shown": shown,
                "text": widget.text,
                # What Kivy actually laid out: fewer characters than the text means cut.
                "chars": len("".join(widget.text.split())),
                "rendered": rendered_chars(widget),
                "lines": rendered_lines(widget),
                "shortened": bool(getattr(widget._label, "is_shortened", False)),
            }
        return out

    @staticmethod
    def parents(widget: Any) -> list[Any]:
        out = []
        while widget.parent is not None and widget.parent is not widget:
            widget = widget.parent
            out.append(widget)
        return out

    def capture(self, name: str) -> None:
        from dataclasses import asdict

        from kivy.core.window import Window

        path = self.out_dir / f"{name}.png"
        record: dict[str, Any] = {
            "path": str(path),
            "size": list(Window.size),
            "rects": self.rects(),
            "view": asdict(self.app.view),
            "places": asdict(self.app.places_view),
            "help": asdict(self.app.help_view),
            "panel": self.app.panel,
            "lang": self.app.lang,
            "display": self.app.display_state.value,
            "pin_open": self.app.pin_open,
            "labels": self.labels(),
            "mm": self.app.mm,
        }
        self.waiting_for_shot = True

        def done(written: Path | None) -> None:
            self.waiting_for_shot = False
            record["written"] = written is not None
            self.results["shots"][name] = record

        self.app.capture(path, done)


def rendered_chars(label: Any) -> int:
    """The non-space characters of ``label`` that Kivy laid out inside its text box."""
    label.texture_update()
    lines = getattr(label._label, "_cached_lines", [])
    return sum(len("".join(word.text.split())) for line in lines for word in line.words)


def rendered_lines(label: Any) -> int:
    """How many lines with text Kivy laid out for ``label``."""
    lines = getattr(label._label, "_cached_lines", [])
    return sum(1 for line in lines if any(word.text.strip() for word in line.words))


def main() -> None:
    plan = json.loads(Path(sys.argv[1]).read_text())
    os.environ["KIVY_NO_ARGS"] = "1"
    Driver(plan).run()


if __name__ == "__main__":
    main()
