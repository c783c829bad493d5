"""Line breaks for Japanese and Chinese text.

Kivy wraps only at spaces, and a run of CJK text has none, so it breaks wherever the line
overflows: "ください。" can leave "。" alone at the start of the next line. This module
breaks such text itself, by estimated width, and keeps the rules of Japanese typesetting
(禁則処理): no line starts with a closing mark or small kana, none ends with an opening
bracket — the character before moves down with the mark instead. Text without wide
characters (Latin, Vietnamese, Korean) is left to Kivy, which wraps it at spaces.
"""

import re

from kiosk.textfit import em_width

NO_LINE_START = frozenset(
    "、。，．,.!！?？）)」』】〕〉》ー…‥・:：;；ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞヽヾ"
)
NO_LINE_END = frozenset("（(「『【〔〈《")
# Kana, CJK ideographs and full-width forms. Korean is not here: it puts spaces between
# words, and Kivy wraps it there.
_WIDE_CHARS = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_WIDE = re.compile(f"[{_WIDE_CHARS}]")
# A unit is one wide character, one run of spaces, or one run of other characters (a word).
_UNITS = re.compile(f"[{_WIDE_CHARS}]|\\s+|[^\\s{_WIDE_CHARS}]+")

# Estimated widths are close for CJK glyphs (one em each) but not exact for the rest:
# leave a margin so Kivy never has to wrap one of these lines again.
MARGIN = 0.94


def wrap_cjk(text: str, width_px: float, font_px: float) -> str:
    """``text`` with line breaks for a label ``width_px`` wide at ``font_px``."""
    if width_px <= 0 or font_px <= 0 or not _WIDE.search(text):
        return text
    max_ems = MARGIN * width_px / font_px
    return "\n".join(line for paragraph in text.split("\n") for line in _wrap(paragraph, max_ems))


def units_of(text: str) -> list[str]:
    """The pieces a line may break between: wide characters, space runs and words."""
    return [u for u in _UNITS.findall(text) if not u.isspace()]


def _wrap(paragraph: str, max_ems: float) -> list[str]:
    lines: list[str] = []
    line: list[str] = []
    width = 0.0
    for unit in _UNITS.findall(paragraph):
        if not line and unit.isspace():
            continue  # a line never starts with a space
        ems = em_width(unit)
        if line and width + ems > max_ems and not unit.isspace():
            carried: list[str] = []
            while line[-1].isspace():  # the line ends at its last word: "（ " ends with "（"
                line.pop()
            if unit[0] in NO_LINE_START:
                # The mark takes the character before it along (and that one's own mark).
                while len(line) > 1 and (not carried or carried[0][0] in NO_LINE_START):
                    carried.insert(0, line.pop())
            while len(line) > 1 and line[-1][-1] in NO_LINE_END:
                carried.insert(0, line.pop())
            lines.append("".join(line).rstrip())
            line, width = carried, sum(em_width(u) for u in carried)
        line.append(unit)
        width += ems
    if line or not lines:
        lines.append("".join(line).rstrip())
    return lines
