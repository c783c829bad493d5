"""The Kivy application: binds the pure logic to one window. No decisions are made here."""

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from sdnotify import SystemdNotifier

from kiosk import agent_requests
from kiosk.admin import ADMIN_EXIT_STATUS, AdminGate, PinResult
from kiosk.carousel import Carousel
from kiosk.disaster import DisasterReceipts
from kiosk.display import DisplayPolicy, DisplayState, burn_in_offset
from kiosk.fonts import register_fonts
from kiosk.forecast import forecast_line
from kiosk.i18n import LANGUAGES, Translator, language
from kiosk.idle import IdleReset
from kiosk.memory import release_free_memory
from kiosk.pictures import PictureLoader
from kiosk.places_view import build_help, build_places, nearby_lines
from kiosk.screenshot import write_png
from kiosk.settings import KioskSettings
from kiosk.situation import assess
from kiosk.source import StateSource
from kiosk.textfit import LARGE_TEXT_STEPS, MM_PER_INCH
from kiosk.viewmodel import HomeView, build_view, station_names
from kiosk.widgets import KioskRoot, LangButton, PinKey
from localstate import Snapshot

log = logging.getLogger("kyusui.kiosk")
KV_FILE = Path(__file__).with_name("layout.kv")
PANELS_KV_FILE = Path(__file__).with_name("panels.kv")
DISASTER_KV = Path(__file__).with_name("disaster.kv")
DESIGN_HEIGHT, DESIGN_WIDTH = 480, 800  # the official 7" display: 1 unit = 1 px
DESIGN_DPI = 132.0  # the official 7" display: 800×480 on a 154 × 86 mm panel
NOTICE_MIN_UNITS = 72  # less room than this for the notice card: it gives way
DIM_ALPHA = {DisplayState.ON: 0.0, DisplayState.DIM: 0.6, DisplayState.OFF: 1.0}
STATUS_EVERY_S = 30.0
# A frame is read only after it has been drawn into every swap buffer: reading right after
# the first flip can return an older frame from the other buffer.
SETTLED_FLIPS = 3
PIN_CLEAR, PIN_ENTER = "C", "OK"
# Called from the window's flip with the path written, or None when writing failed.
ShotDone = Callable[[Path | None], None]


class KioskApp(App):  # type: ignore[misc]  # kivy is untyped
    view = ObjectProperty(None, rebind=True)  # kv re-reads every app.view.* on change
    u = NumericProperty(1.0)
    mm = NumericProperty(DESIGN_DPI / MM_PER_INCH)  # pixels per millimetre on the panel
    steps = NumericProperty(0)  # type-scale steps up: LARGE_TEXT_STEPS for 大きな文字
    shift = ListProperty([0, 0])
    dim_alpha = NumericProperty(0.0)
    history = ObjectProperty([])
    history_now_ms = NumericProperty(0)
    pin_open = BooleanProperty(False)
    pin_entered = StringProperty("")
    places_view = ObjectProperty(None, rebind=True)
    help_view = ObjectProperty(None, rebind=True)
    panel = StringProperty("")  # "", "places", "help" or "alert": what covers the stage
    notice_texture = ObjectProperty(None, allownone=True)  # the current notice's picture

    def __init__(
        self, settings: KioskSettings, now: Callable[[], float] = time.time, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.title = "Kyusui"
        self.settings = settings
        self.now = now  # seconds since the epoch; tests move it on
        self.systemd = SystemdNotifier()  # does nothing unless systemd started the kiosk
        self.tr = Translator()
        self.source = StateSource(settings.state_dir)
        self.pictures = PictureLoader(settings.state_dir)
        self.carousel = Carousel(settings.carousel_dwell_s, lang=settings.default_lang)
        self.disaster = DisasterReceipts(settings.disaster_receipt_s, settings.default_lang)
        self.idle = IdleReset(settings.idle_reset_s, language(settings.default_lang).code)
        self.policy = DisplayPolicy(settings.wake_s, settings.dim_after_s)
        self.lang = self.idle.home_lang
        self.steps = LARGE_TEXT_STEPS if settings.large_text else 0
        self._notice_room = True
        self.snapshot: Snapshot | None = None
        self.display_state = DisplayState.ON
        self.last_touch_ms: int | None = None
        self.lang_buttons: dict[str, LangButton] = {}
        self.admin = AdminGate(settings.admin_pin.get_secret_value())
        self.exit_status = 0
        self._last_read_s = -1e18
        self._last_status: tuple[float, str, str] = (-1e18, "", "")
        self._shots: list[tuple[Path, ShotDone, int]] = []  # (path, done, flips to wait)
        self._first_frame_seen = False
        self._in_flight: set[str] = set()  # screenshot requests waiting for a frame
        self.help_sent = False  # the help screen open now has told staff
        self.panels: dict[str, Any] = {}  # built when first opened: no memory until needed
        self.view = self._build_view(int(self.now() * 1000))
        self._build_panels(int(self.now() * 1000), assess(None, 0))

    # --- window ---------------------------------------------------------------------
    def build(self) -> KioskRoot:
        register_fonts(self.settings.font_regular, self.settings.font_bold)
        Builder.load_file(str(DISASTER_KV))
        Builder.load_file(str(KV_FILE))
        Builder.load_file(str(PANELS_KV_FILE))
        root = KioskRoot()
        for lang in LANGUAGES:
            button = LangButton(text=self.tr.text(lang.code, "lang.self"), code=lang.code)
            button.bind(on_release=lambda b: self.set_lang(b.code))
            root.ids.langbar.add_widget(button)
            self.lang_buttons[lang.code] = button
        large = LangButton(text="", code="large-text")
        large.bind(on_release=lambda _: self.toggle_large_text())
        root.ids.langbar.add_widget(large)
        self.lang_buttons["large-text"] = large
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", PIN_CLEAR, "0", PIN_ENTER):
            root.ids.pinkeys.add_widget(PinKey(key=key))
        Window.bind(on_resize=self._resize, on_flip=self._on_flip)
        Window.bind(on_request_close=lambda *_: True)  # no way out by keyboard or touch
        self._resize(Window, *Window.size)
        Clock.schedule_interval(lambda _dt: self.update(), 1.0)
        self.update(read=True)
        return root

    def _resize(self, _window: Any, width: int, height: int) -> None:
        self.u = min(height / DESIGN_HEIGHT, width / DESIGN_WIDTH)
        dpi = self.settings.dpi
        self.mm = (dpi if dpi else self.u * DESIGN_DPI) / MM_PER_INCH

    def _on_flip(self, *_: Any) -> None:
        """Screenshots are read after a flip (a Clock callback reads empty buffers on Xvfb)."""
        if not self._first_frame_seen:
            self._first_frame_seen = True
            log.info("kiosk: first frame drawn")
            self.systemd.notify("READY=1")
            Clock.schedule_once(lambda _dt: release_free_memory(), 5)
        waiting = []
        for path, done, flips in self._shots:
            if flips > 1:
                waiting.append((path, done, flips - 1))
                continue
            try:
                write_png(path)
            except Exception:
                log.exception("screenshot %s failed", path)
                done(None)
            else:
                done(path)
        self._shots = waiting
        if waiting:
            Window.canvas.ask_update()

    def capture(self, path: Path, done: ShotDone) -> None:
        """Write the next complete frame to ``path`` as PNG."""
        self._shots.append((path, done, SETTLED_FLIPS))
        Window.canvas.ask_update()

    # --- what a passer-by does ------------------------------------------------------
    def on_any_touch(self) -> bool:
        """Every touch counts as presence; True when it only woke a dark screen."""
        now_s = self.now()
        self.last_touch_ms = int(now_s * 1000)
        self.idle.touched(now_s)
        if self.display_state is DisplayState.OFF:
            self.source.record_interaction("wake")
            self.update()
            return True
        return False

    def set_lang(self, code: str) -> None:
        self.source.record_interaction("lang", code)
        self.lang = language(code).code
        self.update()

    def notice_step(self, delta: int) -> None:
        self.source.record_interaction("notice", "next" if delta > 0 else "previous")
        self.carousel.step(delta, int(self.now() * 1000))
        self.update()

    def admin_pressed(self) -> None:
        self.admin.press(self.now())

    def admin_released(self, still_inside: bool) -> None:
        if self.admin.release(self.now(), still_inside):
            self.pin_entered, self.pin_open = "", True

    def pin_cancel(self) -> None:
        self.admin.close()
        self.pin_entered, self.pin_open = "", False

    def pin_key(self, key: str) -> None:
        self.admin.key(self.now())
        if key == PIN_CLEAR:
            self.pin_entered = ""
        elif key == PIN_ENTER:
            result = self.admin.try_pin(self.pin_entered, self.now())
            self.source.record_interaction("admin", result.value)
            self.pin_entered = ""
            self.pin_open = self.admin.is_open(self.now())
            if result is PinResult.OK:
                log.warning("kiosk: left by the technician's PIN")
                self.exit_status = ADMIN_EXIT_STATUS
                self.stop()
        elif len(self.pin_entered) < 12:
            self.pin_entered += key

    def _show_panel(self, name: str) -> None:
        if name not in self.panels and self.root is not None:
            rule = {"places": "PlacesPanel", "help": "HelpPanel", "alert": "AlertPanel"}[name]
            self.panels[name] = getattr(Factory, rule)()
            self.root.ids.stage.add_widget(self.panels[name])
        self.panel = name

    def open_places(self, how: str) -> None:
        self.source.record_interaction("places", how)
        self._show_panel("places")
        self.update()

    def open_help(self) -> None:
        self.source.record_interaction("first_aid", "open")
        self.help_sent = False
        self._show_panel("help")
        self.update()

    def open_alert(self) -> None:
        """The heat alert's whole message, when the band has no room for it."""
        self.source.record_interaction("alert", "open")
        self._show_panel("alert")
        self.update()

    def confirm_help(self) -> None:
        """Tell ward staff: a ``help`` touch, sent by the agent like every other."""
        if self.panel != "help" or self.help_sent:
            return
        if self.source.record_interaction("help", self.lang):
            self.help_sent = True
        log.warning("kiosk: help requested")
        self.update()

    def close_panel(self) -> None:
        self.panel = ""
        self.update()

    def strip_touched(self, widget: Any, touch: Any) -> None:
        """The water line or the nearest place's line: a touch opens the places, if any."""
        shown = self.places_view.strip or self.places_view.more
        if self.panel == "" and shown and widget.collide_point(*touch.pos):
            self.open_places("strip" if self.places_view.strip else "line")

    def toggle_large_text(self) -> None:
        self.steps = 0 if self.steps else LARGE_TEXT_STEPS
        self.source.record_interaction("large_text", "on" if self.steps else "off")
        self.update()

    # --- the one update -------------------------------------------------------------
    def update(self, read: bool | None = None) -> None:
        now_s = self.now()
        now_ms = int(now_s * 1000)
        if read or (read is None and now_s - self._last_read_s >= self.settings.refresh_s):
            self._last_read_s = now_s
            self.snapshot = self.source.snapshot()
            self._answer_requests()
        snap = self.snapshot
        if self.pin_open and not self.admin.is_open(now_s):
            self.pin_open = False
        self.lang = self.idle.lang_now(self.lang, now_s)
        if self.panel and self.idle.idle(now_s):
            self.panel = ""  # the next passer-by starts on the home screen
        situation = assess(snap, now_ms)
        if situation.emergencies:  # disaster mode keeps every screen in scope lit
            self.display_state = DisplayState.ON
        elif snap is not None:
            self.display_state = self.policy.state(
                snap.display.on_start,
                snap.display.on_end,
                now_ms,
                self.last_touch_ms,
                snap.last_motion_at,
            )
        else:
            self.display_state = DisplayState.ON
        carousel = self.carousel
        carousel.set_lang(self.lang, now_ms)
        carousel.update(snap.notices if snap else [], now_ms)
        visible = (
            self.display_state is not DisplayState.OFF
            and not situation.takeover
            and not situation.emergencies
            and self._notice_room
            and not self.panel
        )
        carousel.set_visible(visible, now_ms)
        carousel.tick(now_ms)
        shown = self.disaster.update(situation.emergencies, True, self.lang, now_ms)
        for receipt in carousel.take_receipts() + shown:
            self.source.record_receipt(receipt)
        image = carousel.current.image if carousel.current is not None else None
        texture = self.pictures.texture(image) if image is not None else None
        if texture is not self.notice_texture:
            self.notice_texture = texture
        view = self._build_view(now_ms, situation)
        if view != self.view:
            self.view = view
        if self.panel == "alert" and not view.alert_text:  # the alert is over
            self.panel = ""
        self._build_panels(now_ms, situation)
        for code, button in self.lang_buttons.items():
            button.selected = code == self.lang
        large = self.lang_buttons["large-text"]
        large.selected = bool(self.steps)  # drawn dark, and says so, while it is on
        large.text = self.view.large_text_on_label if self.steps else self.view.large_text_label
        self._notice_room = self._notice_fits()
        self.dim_alpha = DIM_ALPHA[self.display_state]
        shift = burn_in_offset(
            now_s, self.settings.burn_in_shift_px, self.settings.burn_in_period_s
        )
        if list(shift) != list(self.shift):
            self.shift = list(shift)
        history: list[tuple[int, float, str]] = snap.history if snap else []
        if history != self.history:
            self.history = history
        self.history_now_ms = now_ms // 60_000 * 60_000  # the trend moves once a minute
        self._write_status(now_s)
        self.systemd.notify("WATCHDOG=1")  # the screen is still being updated

    def _notice_fits(self) -> bool:
        """Whether the notice card has room on screen now (it gives way to the level)."""
        root = self.root
        if root is None:
            return True
        return bool(root.ids.home.ids.lower.height >= NOTICE_MIN_UNITS * self.u)

    def _build_view(self, now_ms: int, situation: Any = None) -> HomeView:
        snap = self.snapshot
        notice = self.carousel.current
        return build_view(
            situation if situation is not None else assess(snap, now_ms),
            self.lang,
            self.tr,
            now_ms,
            station_names(snap),
            (notice, self.carousel.index, len(self.carousel.notices)) if notice else None,
            self.settings.high_contrast,
            forecast_line(snap.forecast if snap else None, self.lang, self.tr, now_ms),
            picture=self.notice_texture is not None,
        )

    def _build_panels(self, now_ms: int, situation: Any) -> None:
        snap, lang = self.snapshot, self.lang
        lines = nearby_lines(snap, situation, lang, self.tr, now_ms)
        places = build_places(lines, situation, lang, self.tr)
        if places != self.places_view:
            self.places_view = places
        shown = build_help(lines, snap, lang, self.tr, self.help_sent)
        if shown != self.help_view:
            self.help_view = shown

    def _write_status(self, now_s: float) -> None:
        last_s, last_display, last_lang = self._last_status
        state, lang = self.display_state.value, self.lang
        due = (state, lang) != (last_display, last_lang) or now_s - last_s >= STATUS_EVERY_S
        if due and self.source.write_kiosk_status(state, lang):
            self._last_status = (now_s, state, lang)

    def _answer_requests(self) -> None:
        state = self.source.state
        if state is None:
            return
        try:
            waiting = state.pending_kiosk_requests()
            for request in waiting:
                if request.name not in agent_requests.KNOWN:
                    state.answer_kiosk_request(request.request_id, False, None, "unknown request")
                    continue
                path = self.settings.screenshots / (
                    agent_requests.safe_request_id(request.request_id) + ".png"
                )
                if request.request_id not in self._in_flight:
                    self._in_flight.add(request.request_id)
                    self.capture(path, self._screenshot_answer(request.request_id))
        except Exception:  # a broken table must not stop the screen
            log.exception("kiosk requests could not be answered")

    def _screenshot_answer(self, request_id: str) -> ShotDone:
        def done(path: Path | None) -> None:
            self._in_flight.discard(request_id)
            agent_requests.answer_screenshot(self.source.state, request_id, path)

        return done
