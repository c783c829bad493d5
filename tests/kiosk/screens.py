"""Reading the kiosk's screenshots back: colours where they should be, text by OCR."""

import re
from difflib import SequenceMatcher
from typing import Any

import pytesseract
from PIL import Image, ImageOps, ImageStat

from kiosk.viewmodel import rgba

# Which tesseract model reads each kiosk language.
OCR_LANG = {"ja": "jpn", "ja-easy": "jpn", "en": "eng", "zh": "chi_sim", "ko": "kor", "vi": "vie"}


def image(shot: dict[str, Any]) -> Image.Image:
    return Image.open(shot["path"]).convert("RGB")


def pixel(shot: dict[str, Any], x: float, y: float) -> tuple[int, int, int]:
    value = image(shot).getpixel((int(x), int(y)))
    assert isinstance(value, tuple)
    return (int(value[0]), int(value[1]), int(value[2]))


def hex_rgb(hex_colour: str) -> tuple[int, int, int]:
    r, g, b, _ = rgba(hex_colour)
    return (round(r * 255), round(g * 255), round(b * 255))


def close_to(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 8) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def inside_left_edge(shot: dict[str, Any], rect_name: str, inset: float = 5) -> tuple[float, float]:
    """A point in a rectangle's left padding, half-way down: plain background, no text."""
    x, y, _w, h = shot["rects"][rect_name]
    return (x + inset, y + h / 2)


def ocr(shot: dict[str, Any], rect_name: str, lang: str) -> str:
    """The text tesseract reads in one widget's rectangle of the screenshot."""
    x, y, w, h = shot["rects"][rect_name]
    crop = image(shot).crop((int(x), int(y), int(x + w), int(y + h)))
    gray = ImageOps.grayscale(crop)
    if ImageStat.Stat(gray).mean[0] < 128:
        gray = ImageOps.invert(gray)  # tesseract reads dark text on light best
    gray = gray.resize((gray.width * 2, gray.height * 2), Image.Resampling.LANCZOS)
    return str(pytesseract.image_to_string(gray, lang=OCR_LANG[lang], config="--psm 6"))


_NOISE = re.compile(r"[\s、。，．.,:：;；!！?？()（）\[\]「」・'\"“”‘’°℃%-]")


def similarity(expected: str, read: str) -> float:
    """How much of the expected text OCR found, 0–1, ignoring spaces and punctuation."""
    want, got = _NOISE.sub("", expected).lower(), _NOISE.sub("", read).lower()
    if not want:
        return 1.0
    matcher = SequenceMatcher(None, want, got, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(want)
