"""Widgets drawn in code: the level icon, the trend graph, the touch-aware notice card."""

from typing import Any

from kivy.graphics import Color, Ellipse, Line, Rectangle, RoundedRectangle
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.fonts import FONT_NAME
from kiosk.trend import hour_ticks, trend_geometry
from kiosk.viewmodel import rgba

SWIPE_FRACTION = 0.12  # of the card's width: less is a tap


class LevelIcon(Widget):  # type: ignore[misc]  # kivy is untyped
    """A thermometer whose filled segments count the level (1–5): readable without colour."""

    rank = NumericProperty(0)
    colour = ListProperty([0, 0, 0, 1])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, rank=self._draw, colour=self._draw)

    def _draw(self, *_: Any) -> None:
        self.canvas.clear()
        side = min(self.width, self.height)
        if side <= 0:
            return
        x0 = self.center_x - side * 0.18
        tube_w, bulb = side * 0.36, side * 0.42
        bottom = self.y + (self.height - side) / 2
        tube_y = bottom + bulb * 0.7
        tube_h = side - bulb * 0.7 - side * 0.04
        segment = (tube_h - side * 0.06) / 5
        with self.canvas:
            Color(*self.colour)
            Line(
                rounded_rectangle=(x0, tube_y, tube_w, tube_h, tube_w / 2),
                width=max(1.5, side * 0.03),
            )
            Ellipse(pos=(self.center_x - bulb / 2, bottom), size=(bulb, bulb))
            for i in range(int(self.rank)):
                RoundedRectangle(
                    pos=(x0 + tube_w * 0.22, tube_y + side * 0.03 + i * segment),
                    size=(tube_w * 0.56, segment * 0.78),
                    radius=[side * 0.02],
                )


class TrendGraph(Widget):  # type: ignore[misc]  # kivy is untyped
    """The last 24 h of WBGT over the five level bands, each band named, with an hour axis."""

    history = ObjectProperty([])
    now_ms = NumericProperty(0)
    line_colour = ListProperty([0, 0, 0, 1])
    text_colour = ListProperty([0, 0, 0, 1])
    band_names = ObjectProperty(())  # the level words, lowest level first
    font_px = NumericProperty(0)  # set by the layout; 0: no labels yet (no stray font face)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._labels: list[Label] = []
        self.bind(
            pos=self._draw, size=self._draw, history=self._draw, now_ms=self._draw,
            line_colour=self._draw, band_names=self._draw, font_px=self._draw,
            text_colour=self._draw,
        )  # fmt: skip

    def _label(self, i: int, text: str, colour: Any) -> Label:
        while len(self._labels) <= i:
            label = Label(font_name=FONT_NAME, markup=False, size_hint=(None, None))
            self._labels.append(label)
            self.add_widget(label)
        label = self._labels[i]
        label.text, label.font_size, label.color = text, self.font_px, colour
        label.texture_update()
        label.size = label.texture_size
        return label

    def _draw(self, *_: Any) -> None:
        self.canvas.before.clear()
        axis_h = self.font_px * 1.5
        width, height = self.width, self.height - axis_h
        used = 0
        if width > 0 and height > 0 and self.font_px > 0:
            geometry = trend_geometry(list(self.history), int(self.now_ms), width, height)
            y0 = self.y + axis_h
            names = list(self.band_names)
            with self.canvas.before:
                for band in geometry.bands:
                    Color(*rgba(band.level.info.colour, 0.55))
                    Rectangle(pos=(self.x, y0 + band.y0), size=(width, band.y1 - band.y0))
                Color(*self.text_colour)
                Line(points=[self.x, y0, self.x + width, y0], width=1)
                for tick in hour_ticks(int(self.now_ms)):
                    x = self.x + tick.x * width
                    Line(points=[x, y0, x, y0 - axis_h * 0.25], width=1)
                if len(geometry.line) >= 4:
                    Color(*self.line_colour)
                    points = [
                        v + (self.x if i % 2 == 0 else y0) for i, v in enumerate(geometry.line)
                    ]
                    Line(points=points, width=max(1.5, height / 90))
            for band in geometry.bands:
                rank = band.level.rank
                if rank >= len(names) or band.y1 - band.y0 < self.font_px:
                    continue
                label = self._label(used, names[rank], (0.05, 0.05, 0.05, 1))
                label.pos = (self.x + 3, y0 + (band.y0 + band.y1 - label.height) / 2)
                used += 1
            for tick in hour_ticks(int(self.now_ms)):
                label = self._label(used, tick.label, self.text_colour)
                x = self.x + tick.x * width - label.width / 2
                label.pos = (max(self.x, min(x, self.right - label.width)), self.y)
                used += 1
        for label in self._labels[used:]:
            label.text = ""
            label.size = (0, 0)


class NoticeCard(BoxLayout):  # type: ignore[misc]  # kivy is untyped
    """Tap for the next notice, swipe left or right to move through them."""

    step_to = ObjectProperty(None)  # called with +1 or -1

    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos):
            touch.ud["notice_start_x"] = touch.x
            touch.grab(self)
            return True
        return bool(super().on_touch_down(touch))

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return bool(super().on_touch_up(touch))
        touch.ungrab(self)
        dx = touch.x - touch.ud.get("notice_start_x", touch.x)
        step = -1 if dx > self.width * SWIPE_FRACTION else 1
        if self.step_to is not None:
            self.step_to(step)
        return True


class KioskRoot(FloatLayout):  # type: ignore[misc]  # kivy is untyped
    """Every touch wakes the screen and restarts the idle timer; while asleep, the waking
    touch does nothing else, so a passer-by cannot press what they cannot see."""

    touch_seen = ObjectProperty(None)  # returns True when the touch only woke the screen

    def on_touch_down(self, touch: Any) -> bool:
        if self.touch_seen is not None and self.touch_seen():
            return True
        return bool(super().on_touch_down(touch))


class Overlay(FloatLayout):  # type: ignore[misc]  # kivy is untyped
    """A layer drawn over the home screen; while hidden it lets every touch through."""

    shown = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(shown=self._show)
        self._show()

    def _show(self, *_: Any) -> None:
        self.opacity = 1 if self.shown else 0

    def on_touch_down(self, touch: Any) -> bool:
        if not self.shown:
            return False
        super().on_touch_down(touch)
        return bool(self.collide_point(*touch.pos))  # nothing underneath is pressed


class LangButton(Button):  # type: ignore[misc]  # kivy is untyped
    """One language, named in itself (日本語, English, 中文 …) so anyone finds their own."""

    code = StringProperty("")
    selected = BooleanProperty(False)


class AdminCorner(Widget):  # type: ignore[misc]  # kivy is untyped
    """An invisible corner: the technician's long press starts here (kiosk.admin). A touch
    that starts here does nothing else, so it never reaches what lies underneath."""

    pressed = ObjectProperty(None)
    released = ObjectProperty(None)

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        if self.pressed is not None:
            self.pressed()
        return False  # the touch still counts as presence and reaches the top bar

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        if self.released is not None:
            self.released(self.collide_point(*touch.pos))
        return True


class PinKey(Button):  # type: ignore[misc]  # kivy is untyped
    """One key of the technician's PIN pad: ``key`` is what it types."""

    key = StringProperty("")
