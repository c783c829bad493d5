"""Where each language's lines may break, chosen before Kivy lays a label out.

- Japanese and Chinese: anywhere between characters, with kinsoku (``kiosk.linebreak``).
- やさしい日本語: only at the spaces between its words (and after 、 and 。), so a child
  reads "ぐあいが" whole, never "ぐ / あいが"; a word longer than the line is broken by
  kinsoku as a last resort.
- Latin, Korean and Vietnamese: Kivy wraps at spaces.

A title (``title=True``) never leaves a single character or word alone on its last line.
"""

import math
import re

from kiosk.linebreak import NO_LINE_START, units_of, wrap_cjk
from kiosk.textfit import LINE_HEIGHT, TYPE_SCALE, em_width, size_at_least, snap_size

EASY = "ja-easy"
NBSP = "\u00a0"  # Kivy never breaks a line here
MARGIN = 0.94  # the same reserve as kiosk.linebreak: estimated widths are not exact
_PIECES = re.compile(r"[^\s、。！？]+[、。！？]*|[、。！？]+")
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def wrap_text(text: str, width_px: float, font_px: float, lang: str, title: bool = False) -> str:
    """``text`` with the line breaks it should have in a label ``width_px`` wide."""
    if width_px <= 0 or font_px <= 0 or not text:
        return text
    if not _WIDE.search(text):
        return _glue_last_word(text) if title else text
    wrap = wrap_easy if lang == EASY else wrap_cjk
    out = wrap(text, width_px, font_px)
    if not title:
        return out
    lines = out.split("\n")
    for ems in range(1, 8):  # narrower until the last line has company
        if len(lines) < 2 or not _lonely(lines[-1]):
            break
        narrower = wrap(text, width_px - ems * font_px, font_px).split("\n")
        if len(narrower) > len(lines):
            break
        lines = narrower
    if len(lines) >= 2 and _lonely(lines[-1]):
        lines = _pull_down(lines)
    return "\n".join(lines)


def _lonely(line: str) -> bool:
    """One character alone, its punctuation aside ("す", "8", "へ。")."""
    return len([c for c in line.strip() if c not in NO_LINE_START]) <= 1


def _pull_down(lines: list[str]) -> list[str]:
    """Moves the last piece of the line before (two or three when kinsoku forbids one)
    down to a lone last character."""
    before = units_of(lines[-2])
    for take in (1, 2, 3):
        if len(before) <= take or before[-take][0] in NO_LINE_START:
            continue
        moved = "".join(before[-take:])
        head = lines[-2].rstrip()
        if not head.endswith(moved):
            return lines
        return [*lines[:-2], head[: len(head) - len(moved)], moved + lines[-1]]
    return lines


def wrap_easy(text: str, width_px: float, font_px: float) -> str:
    """やさしい日本語: lines break at spaces (and after 、。), never inside a word."""
    max_ems = MARGIN * width_px / font_px
    out: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for chunk in paragraph.split():
            pieces = _PIECES.findall(chunk) or [chunk]
            for i, piece in enumerate(pieces):
                joiner = " " if line and i == 0 else ""
                if line and em_width(line + joiner + piece) > max_ems:
                    out.append(line)
                    line, joiner = "", ""
                if not line and em_width(piece) > max_ems:  # one word wider than the line
                    *full, line = wrap_cjk(piece, width_px, font_px).split("\n")
                    out.extend(full)
                    continue
                line += joiner + piece
        out.append(line)
    return "\n".join(out)


def _glue_last_word(text: str) -> str:
    """Joins the last two words with a no-break space: the last line is never one word."""
    head, sep, last = text.rstrip().rpartition(" ")
    if not sep or not head.strip() or len(last) > 12:
        return text
    return head + NBSP + last


def line_count(text: str, width_px: float, font_px: float, lang: str) -> int:
    """How many lines ``text`` takes, by estimated width (Kivy's own wrap for Latin)."""
    wrapped = wrap_text(text, width_px, font_px, lang)
    if _WIDE.search(text):
        return wrapped.count("\n") + 1
    max_ems = MARGIN * width_px / font_px
    lines = 0
    for paragraph in wrapped.split("\n"):
        lines += 1
        width = 0.0
        for word in paragraph.split(" "):
            ems = em_width(word) + (0.3 if width else 0.0)
            if width and width + ems > max_ems:
                lines += 1
                width = em_width(word)
            else:
                width += ems
    return lines


def block_size(
    text: str, width_px: float, wanted_px: float, steps: int, max_height: float, lang: str,
    smallest_px: float = 0.0, exact_floor: bool = False,
) -> float:  # fmt: skip
    """The largest scale size up to ``wanted_px`` (``steps`` up) at which ``text``, wrapped to
    ``width_px``, is at most ``max_height`` tall; never below ``smallest_px`` (rounded up to
    the scale): the advice stays readable from 3 m even when something else must give.
    With ``exact_floor`` the floor is the pixel at or above ``smallest_px``, not the next
    step, which may be a fifth larger: one more font face (Kivy keeps every size it opened),
    so only where a line of room decides whether the level keeps its size."""
    size = snap_size(wanted_px, steps)
    if not smallest_px:
        floor = float(TYPE_SCALE[0])
    elif exact_floor:
        floor = float(math.ceil(smallest_px))
    else:
        floor = size_at_least(smallest_px)
    while size > floor and (
        line_count(text, width_px, size, lang) * size * LINE_HEIGHT > max_height
        or not words_fit(text, width_px, size, lang)
    ):
        size = snap_size(size - 1)
    return max(size, floor)


def words_fit(text: str, width_px: float, font_px: float, lang: str) -> bool:
    """Whether every word fits on a line: where lines break only between words (やさしい
    日本語, and the languages Kivy wraps at spaces) a longer word would be cut inside."""
    if lang != EASY and _WIDE.search(text):
        return True  # Japanese and Chinese may break between any two characters
    max_ems = MARGIN * width_px / font_px
    words = text.split()
    if lang == EASY:
        words = [piece for word in words for piece in (_PIECES.findall(word) or [word])]
    return all(em_width(word) <= max_ems for word in words)


def block_fits(text: str, width_px: float, size_px: float, max_height: float, lang: str) -> bool:
    """Whether ``text``, wrapped to ``width_px`` at ``size_px``, is at most ``max_height``
    tall: a block that may give way shows whole or not at all, never cut."""
    return line_count(text, width_px, size_px, lang) * size_px * LINE_HEIGHT <= max_height
