"""How wide a line of text is in ems, so one-line headlines shrink to fit instead of being cut.

Wide (CJK) characters take about one em, others about 0.6: close enough to choose a font
size that fits "厳重警戒", "Severe warning" and "Gần như an toàn" on the same band.
"""

from unicodedata import east_asian_width


def em_width(text: str) -> float:
    return sum(1.0 if east_asian_width(c) in "WF" else 0.6 for c in text)


def fitting_size(text: str, width: float, wanted: float) -> float:
    """The largest size up to ``wanted`` at which ``text`` fits on one line of ``width``."""
    ems = em_width(text)
    if ems <= 0 or width <= 0:
        return wanted
    return max(1.0, min(wanted, 0.95 * width / ems))
