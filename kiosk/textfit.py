"""Font sizes: a short type scale, physical sizes, and headlines that shrink to fit.

Wide (CJK) characters take about one em, others about 0.6: close enough to choose a font
size that fits "厳重警戒", "Severe warning" and "Gần như an toàn" on the same band.
"""

from unicodedata import east_asian_width

MM_PER_INCH = 25.4
# Font sizes in pixels, a quarter to a third apart. Every distinct size (and weight) is one
# more open font face (~2.5 MB each for Noto Sans CJK), so sizes snap down to this scale.
TYPE_SCALE = (10, 12, 15, 19, 24, 30, 38, 48, 60, 80, 100, 125, 156, 195, 244, 305)
# 大きな文字 moves every text this many steps up the scale: at least 1.5× (10 → 15).
LARGE_TEXT_STEPS = 2
# A line of Noto Sans CJK is about 1.45 em tall (ascent + descent).
LINE_HEIGHT = 1.45


def em_width(text: str) -> float:
    return sum(1.0 if east_asian_width(c) in "WF" else 0.6 for c in text)


def px_of_mm(mm: float, dpi: float) -> float:
    return mm * dpi / MM_PER_INCH


def mm_of_px(px: float, dpi: float) -> float:
    return px * MM_PER_INCH / dpi


def snap_size(px: float, steps: int = 0) -> float:
    """The largest size on the type scale not above ``px``, then ``steps`` further up."""
    index = max([i for i, s in enumerate(TYPE_SCALE) if s <= px], default=0)
    return float(TYPE_SCALE[min(index + max(steps, 0), len(TYPE_SCALE) - 1)])


def size_at_least(px: float) -> float:
    """The smallest size on the type scale not below ``px``."""
    return float(min([s for s in TYPE_SCALE if s >= px], default=TYPE_SCALE[-1]))


def fitting_size(
    text: str, width: float, wanted: float, steps: int = 0, height: float | None = None
) -> float:
    """The largest scale size up to ``wanted`` (moved ``steps`` up) at which ``text`` fits
    on one line of ``width`` and, when given, a line box of ``height``."""
    size = snap_size(wanted, steps)
    ems = em_width(text)
    limit = size
    if ems > 0 and width > 0:
        limit = min(limit, 0.95 * width / ems)
    if height is not None and height > 0:
        limit = min(limit, height / LINE_HEIGHT)
    return snap_size(limit) if limit < size else size


# The level word's two lines sit closer than a paragraph's: it reads as one word, and the
# row keeps room for the advice.
LEVEL_LEADING = 0.7


def _level_fit(
    text: str, width: float, wanted: float, steps: int, height: float | None
) -> tuple[float, str]:
    """The level word's size and text: one line, or two at a space when two lines let it
    be larger ("Gần như / an toàn", "Nguy / hiểm"); a word without a space stays whole."""
    one = fitting_size(text, width, wanted, steps, height)
    words = text.split()
    if len(words) < 2:
        return one, text
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    top, bottom = min(splits, key=lambda s: max(em_width(s[0]), em_width(s[1])))
    longer = top if em_width(top) >= em_width(bottom) else bottom
    per_line = height / (1 + LEVEL_LEADING) if height is not None else None
    two = fitting_size(longer, width, wanted, steps, per_line)
    return (two, top + "\n" + bottom) if two > one else (one, text)


def level_size(text: str, width: float, wanted: float, steps: int, height: float) -> float:
    return _level_fit(text, width, wanted, steps, height)[0]


def level_text(text: str, width: float, wanted: float, steps: int, height: float) -> str:
    return _level_fit(text, width, wanted, steps, height)[1]


def level_height(text: str, width: float, wanted: float, steps: int) -> float:
    """The height the level word's row asks for: one line at ``wanted``, or two when the
    word must break to be that large."""
    size = snap_size(wanted, steps)
    if "\n" not in _level_fit(text, width, wanted, steps, None)[1]:
        return size * LINE_HEIGHT
    return size * LINE_HEIGHT * (1 + LEVEL_LEADING)  # Kivy sets the second line closer
