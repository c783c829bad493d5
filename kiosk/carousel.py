"""Which notice is on screen: priority order, schedule, dwell time, urgent interruptions.

Every showing ends in a receipt (what was visible, from when, for how long, in which
language) so the ward can prove what each screen showed. Time spent hidden (danger
takeover, display off) is not a showing.
"""

from dataclasses import dataclass, field

from localstate import NoticeView, ShownNotice

PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def notice_order(notices: list[NoticeView], now_ms: int) -> list[NoticeView]:
    """Notices within their schedule, most important first; an unknown priority is normal."""
    active = [n for n in notices if n.active_at(now_ms)]
    return sorted(active, key=lambda n: (PRIORITY_ORDER.get(n.priority, 2), n.notice_id))


@dataclass
class Showing:
    notice: NoticeView
    since_ms: int
    lang: str


@dataclass
class Carousel:
    dwell_s: float
    notices: list[NoticeView] = field(default_factory=list)
    index: int = 0
    showing: Showing | None = None
    visible: bool = True
    lang: str = "ja"
    _seen: set[tuple[str, int]] = field(default_factory=set)  # urgent notices already shown
    _receipts: list[ShownNotice] = field(default_factory=list)

    @property
    def current(self) -> NoticeView | None:
        return self.notices[self.index] if self.notices else None

    def take_receipts(self) -> list[ShownNotice]:
        out, self._receipts = self._receipts, []
        return out

    def _close(self, now_ms: int) -> None:
        if self.showing is not None:
            shown = self.showing
            self._receipts.append(
                ShownNotice(
                    shown.notice.notice_id,
                    shown.notice.version,
                    shown.since_ms,
                    max(0.0, (now_ms - shown.since_ms) / 1000),
                    shown.lang,
                )
            )
            self.showing = None

    def _open(self, now_ms: int) -> None:
        current = self.current
        if self.visible and current is not None and self.showing is None:
            self.showing = Showing(current, now_ms, self.lang)

    def update(self, notices: list[NoticeView], now_ms: int) -> None:
        """Take the notices from the local state; an urgent one never seen before jumps in."""
        current = self.current
        current_key = (current.notice_id, current.version) if current else None
        shown = self.showing
        shown_key = (shown.notice.notice_id, shown.notice.version) if shown else None
        ordered = notice_order(notices, now_ms)
        keys = [(n.notice_id, n.version) for n in ordered]
        new_urgent = [
            i for i, n in enumerate(ordered) if n.priority == "urgent" and keys[i] not in self._seen
        ]
        self._seen |= {k for k, n in zip(keys, ordered, strict=True) if n.priority == "urgent"}
        self.notices = ordered
        if not ordered:
            self.index = 0
        elif new_urgent:
            self.index = new_urgent[0]
        elif current_key in keys:
            self.index = keys.index(current_key)
        else:
            self.index = min(self.index, len(ordered) - 1)
        if shown_key is not None and (not ordered or keys[self.index] != shown_key):
            self._close(now_ms)
        self._open(now_ms)

    def tick(self, now_ms: int) -> None:
        """Advance after the dwell time."""
        if self.showing is not None and now_ms - self.showing.since_ms >= self.dwell_s * 1000:
            self.step(+1, now_ms)

    def step(self, delta: int, now_ms: int) -> None:
        """Next (+1) or previous (-1) notice, as a touch or the dwell time asks."""
        if not self.notices:
            return
        self._close(now_ms)
        self.index = (self.index + delta) % len(self.notices)
        self._open(now_ms)

    def set_visible(self, visible: bool, now_ms: int) -> None:
        if visible == self.visible:
            return
        self.visible = visible
        if visible:
            self._open(now_ms)
        else:
            self._close(now_ms)

    def set_lang(self, lang: str, now_ms: int) -> None:
        """A language change starts a new showing: receipts say which text was read."""
        if lang == self.lang:
            return
        self._close(now_ms)
        self.lang = lang
        self._open(now_ms)
