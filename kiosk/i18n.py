"""Message catalogs (gettext ``.po``, read with Babel at start) and language choice.

Japanese is the source language: ``ja`` holds every message, and any message another
catalog lacks is shown in Japanese rather than as a key.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kiosk"


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # what notices and receipts use
    fallbacks: tuple[str, ...]  # notice text to try when this language is missing


# Order of the language bar. やさしい日本語 falls back to ordinary Japanese.
LANGUAGES: tuple[Language, ...] = (
    Language("ja", ("ja",)),
    Language("ja-easy", ("ja-easy", "ja")),
    Language("en", ("en", "ja")),
    Language("zh", ("zh", "zh-Hans", "zh-CN", "en", "ja")),
    Language("ko", ("ko", "en", "ja")),
    Language("vi", ("vi", "en", "ja")),
)
BY_CODE: dict[str, Language] = {lang.code: lang for lang in LANGUAGES}
SOURCE_LANG = "ja"


def language(code: str) -> Language:
    """The language for ``code``; an unknown code is shown as Japanese."""
    return BY_CODE.get(code, BY_CODE[SOURCE_LANG])


def catalog_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_catalog(path: Path) -> dict[str, str]:
    with path.open("rb") as f:
        catalog = read_po(f)
    return {
        str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.string, str) and m.string
    }


class Translator:
    """Every catalog, loaded once. ``text`` never fails: a missing key shows the key."""

    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        self.catalogs: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            path = locale_dir / lang.code / "LC_MESSAGES" / f"{DOMAIN}.po"
            self.catalogs[lang.code] = load_catalog(path)

    def text(self, lang: str, key: str, **values: object) -> str:
        message = self.catalogs.get(lang, {}).get(key) or self.catalogs[SOURCE_LANG].get(key, key)
        if not values:
            return message
        try:
            return message.format(**values)
        except (KeyError, IndexError, ValueError):
            return message  # a broken translation still shows something readable


def pick_text(texts: Mapping[str, str] | object, lang: str) -> str:
    """A notice's or alert's text in ``lang``, else its fallbacks, else any text it has."""
    if not isinstance(texts, Mapping):
        return ""
    for code in language(lang).fallbacks:
        value = texts.get(code)
        if isinstance(value, str) and value.strip():
            return value
    for value in texts.values():
        if isinstance(value, str) and value.strip():
            return value
    return ""
