"""What each kiosk language's screen would show of a notice, before staff publish it.

The kiosk shows a notice's title and body in one language: the first of the screen
language's fallbacks (contract.languages) that has them, so staff see here which screens
fall back and to what. The card's size and type follow the kiosk's layout at 800×480
(kiosk/layout.kv: the notice card is 42 % of the middle row, under the 44 px top bar);
the browser breaks lines as the kiosk does — kinsoku for Japanese and Chinese
(``line-break: strict``), only at spaces for やさしい日本語 and Korean.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from contract.content import NoticePriority
from contract.languages import KIOSK_LANGS, choose_language

# The kiosk's 800×480 layout, in its pixels (kiosk/layout.kv).
SCREEN_W, SCREEN_H = 800, 480
TOP_BAR_H, LANG_BAR_H = 44, 54
SIDE_PAD, GAP, BOTTOM_PAD = 8, 8, 6
CARD_SHARE = 0.42
CARD_X = round(SIDE_PAD + (SCREEN_W - 2 * SIDE_PAD - GAP) * (1 - CARD_SHARE) + GAP)
CARD_W = round((SCREEN_W - 2 * SIDE_PAD - GAP) * CARD_SHARE)
# The card shares its column with the trend (size_hint 1 : 0.55) and the trend's label.
_COLUMN_H = SCREEN_H - TOP_BAR_H - LANG_BAR_H - BOTTOM_PAD
CARD_H = round((_COLUMN_H - 2 * 6 - 15) / 1.55)
CARD_PAD_X, CARD_PAD_Y = 12, 8
TITLE_PX, BODY_PX, POSITION_PX = 19, 15, 12

# The card as CSS custom properties, so the stylesheet takes its sizes from here.
CARD_STYLE = (
    f"--card-w: {CARD_W}px; --card-h: {CARD_H}px; --card-pad: {CARD_PAD_Y}px {CARD_PAD_X}px; "
    f"--title-px: {TITLE_PX}px; --body-px: {BODY_PX}px; --position-px: {POSITION_PX}px"
)

# How the browser should break lines to match the kiosk, by the screen's language.
LINE_BREAKING = {
    "ja": "kinsoku",
    "zh": "kinsoku",
    "ja-easy": "spaces",
    "ko": "spaces",
    "en": "spaces-latin",
    "vi": "spaces-latin",
}


@dataclass(frozen=True, slots=True)
class PreviewCard:
    """One screen language's card."""

    screen_lang: str
    shown_lang: str | None  # the language of the text shown; None: the notice has none
    title: str
    body: str
    urgent: bool
    breaking: str  # a LINE_BREAKING value, for the text's language

    @property
    def falls_back(self) -> bool:
        return self.shown_lang is not None and self.shown_lang != self.screen_lang


def _text(texts: Mapping[str, str] | None, lang: str | None) -> str:
    if texts is None or lang is None:
        return ""
    value = texts.get(lang, "")
    return value if value.strip() else ""


def preview(
    title: Mapping[str, str], body: Mapping[str, str] | None, priority: str
) -> list[PreviewCard]:
    """A card per kiosk language, in the language bar's order."""
    cards = []
    for lang in KIOSK_LANGS:
        shown = choose_language([title, body], lang)
        cards.append(
            PreviewCard(
                screen_lang=lang,
                shown_lang=shown,
                title=_text(title, shown),
                body=_text(body, shown),
                urgent=priority == NoticePriority.URGENT.value,
                breaking=LINE_BREAKING.get(shown or "ja", "kinsoku"),
            )
        )
    return cards
