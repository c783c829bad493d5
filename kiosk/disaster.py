"""Disaster mode on the screen (避難所開設情報): the text it shows, and its receipts.

While the station holds disaster mode in force (for every station, its area, or both) the
screen shows it above everything else: the danger takeover, the heat alert and the notices
give way. The whole block — headline, the ward's message, the open shelters — is in one
language, the first of the screen's fallbacks that every part has.

The ward must know which screens showed it and when, also while it lasts for days: a
showing is closed into a receipt (the notices' receipts, with the disaster mode's id as the
notice id) every ``segment_s``, at a language change and when it ends.
"""

from dataclasses import dataclass, field
from datetime import datetime

from contract.jst import JST
from kiosk.i18n import Translator, pick_block
from localstate import EmergencyView, ShownNotice


@dataclass(frozen=True, slots=True)
class DisasterView:
    shown: bool = False
    lang: str = "ja"
    headline: str = ""
    message: str = ""
    shelters_title: str = ""
    shelters: str = ""  # one line per shelter
    issued: str = ""


def active_emergencies(
    emergencies: tuple[EmergencyView, ...], now_ms: int
) -> tuple[EmergencyView, ...]:
    return tuple(e for e in emergencies if e.expires_at is None or now_ms < e.expires_at)


def disaster_view(
    emergencies: tuple[EmergencyView, ...], lang: str, tr: Translator
) -> DisasterView:
    """What the screen says for the disaster modes in force; ``shown`` False for none."""
    if not emergencies:
        return DisasterView(lang=lang)
    shelters = [sh for e in emergencies for sh in e.shelters]
    blocks: list[dict[str, str]] = [e.message for e in emergencies]
    blocks += [sh.name for sh in shelters] + [sh.address for sh in shelters if sh.address]
    shown_lang, texts = pick_block(blocks, lang)
    messages = texts[: len(emergencies)]
    names = texts[len(emergencies) : len(emergencies) + len(shelters)]
    addresses = iter(texts[len(emergencies) + len(shelters) :])
    lines: list[str] = []
    seen: set[str] = set()
    for shelter, name in zip(shelters, names, strict=True):
        address = next(addresses) if shelter.address else ""
        if not name or name in seen:
            continue
        seen.add(name)
        lines.append(f"・{name}" + (f"（{address}）" if address else ""))
    newest = max(e.issued_at for e in emergencies)
    moment = datetime.fromtimestamp(newest / 1000, JST)
    return DisasterView(
        shown=True,
        lang=shown_lang,
        headline=tr.text(shown_lang, "disaster.headline"),
        message="\n".join(m for m in messages if m),
        shelters_title=tr.text(shown_lang, "disaster.shelters") if lines else "",
        shelters="\n".join(lines),
        issued=tr.text(shown_lang, "disaster.issued", time=f"{moment:%m/%d %H:%M}"),
    )


@dataclass
class DisasterReceipts:
    """Receipts of what disaster mode the screen showed, a segment at a time."""

    segment_s: float
    lang: str = "ja"
    showing: dict[tuple[str, int], int] = field(default_factory=dict)  # (id, version) → since

    def _close(self, key: tuple[str, int], now_ms: int) -> ShownNotice:
        since = self.showing.pop(key)
        return ShownNotice(key[0], key[1], since, max(0.0, (now_ms - since) / 1000), self.lang)

    def update(
        self, emergencies: tuple[EmergencyView, ...], visible: bool, lang: str, now_ms: int
    ) -> list[ShownNotice]:
        """The receipts of showings that ended now; starts the showings that begin."""
        keys = {(e.emergency_id, e.version) for e in emergencies} if visible else set()
        out = [
            self._close(key, now_ms)
            for key, since in list(self.showing.items())
            if key not in keys or lang != self.lang or now_ms - since >= self.segment_s * 1000
        ]
        self.lang = lang
        for key in keys:
            self.showing.setdefault(key, now_ms)
        return out
