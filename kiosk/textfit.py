"""How wide a line of text is in ems, so one-line headlines shrink to fit instead of being cut.

Wide (CJK) characters take about one em, others about 0.6: close enough to choose a font
size that fits "厳重警戒", "Severe warning" and "Gần như an toàn" on the same band.
"""

from unicodedata import east_asian_width


def em_width(text: str) -> float:
    return sum(1.0 if east_asian_width(c) in "WF" else 0.6 for c in text)


def fitting_size(text: str, width: float, wanted: float) -> float:
    """The largest scale size up to ``wanted`` at which ``text`` fits on one line of ``width``."""
    ems = em_width(text)
    if ems <= 0 or width <= 0:
        return snap_size(wanted)
    return snap_size(min(wanted, 0.95 * width / ems))


# Font sizes in pixels, about a quarter apart. Every distinct size (and weight) is one more
# open font face (~2.5 MB each for Noto Sans CJK), so sizes snap down to this scale.
TYPE_SCALE = (10, 12, 15, 19, 24, 30, 38, 48, 60, 76, 96)
_LARGEST = TYPE_SCALE[-1]


def snap_size(px: float) -> float:
    """The largest size on the type scale not above ``px`` (beyond the scale: steps of 25 %)."""
    if px >= _LARGEST:
        size = float(_LARGEST)
        while size * 1.25 <= px:
            size = float(round(size * 1.25))
        return size
    return float(max([s for s in TYPE_SCALE if s <= px], default=TYPE_SCALE[0]))
