"""The console's catalogues (gettext ``.po`` read with Babel) and the reader's language.

Japanese is the source language: ``ja`` holds every message and any message English lacks
is shown in Japanese. The choice is a ``lang`` cookie set by the header's switch.
"""

from pathlib import Path

from babel.messages.pofile import read_po
from fastapi import Request

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "console"
LANGS = ("ja", "en")
SOURCE_LANG = "ja"
LANG_COOKIE = "lang"


def catalog_path(code: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def translated(path: Path) -> dict[str, str]:
    """Each message of a ``.po`` file that has a translation, by its id."""
    with path.open("rb") as f:
        catalogue = read_po(f)
    found: dict[str, str] = {}
    for message in catalogue:
        key, text = message.id, message.string
        if key and isinstance(key, str) and text and isinstance(text, str):  # no header, plural
            found[key] = text
    return found


class Catalogues:
    """Both catalogues, loaded once. ``text`` never fails: a missing key shows the key."""

    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        self.messages = {code: translated(catalog_path(code, locale_dir)) for code in LANGS}

    def text(self, lang: str, key: str, **values: object) -> str:
        message = self.messages.get(lang, {}).get(key) or self.messages[SOURCE_LANG].get(key, key)
        if not values:
            return message
        try:
            return message.format(**values)
        except (KeyError, IndexError, ValueError):
            return message


def request_lang(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, SOURCE_LANG)
    return chosen if chosen in LANGS else SOURCE_LANG
