"""Message catalogs (gettext ``.po``, read with Babel at start) and language choice.

Japanese is the source language: ``ja`` holds every message, and any message another
catalog lacks is shown in Japanese rather than as a key.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from contract.languages import KIOSK_LANGS, canonical, choose_language, fallback_chain
from contract.languages import SOURCE_LANG as SOURCE_LANG

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kiosk"


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # what notices and receipts use
    fallbacks: tuple[str, ...]  # notice text to try when this language is missing


# Order of the language bar; the fallback order is the contract's (contract.languages).
LANGUAGES: tuple[Language, ...] = tuple(Language(c, fallback_chain(c)) for c in KIOSK_LANGS)
BY_CODE: dict[str, Language] = {lang.code: lang for lang in LANGUAGES}


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
    return pick_block([texts], lang)[1][0]


def pick_block(blocks: Sequence[Mapping[str, str] | object], lang: str) -> tuple[str, list[str]]:
    """The texts of one block (a notice's title and body) in one language, and that language
    as a kiosk language code: the first of ``lang``'s fallbacks that has them all."""
    maps = [b if isinstance(b, Mapping) else None for b in blocks]
    code = choose_language(maps, language(lang).code)
    if code is None:
        return language(lang).code, ["" for _ in blocks]
    texts = []
    for block in maps:
        value = block.get(code) if block is not None else None
        texts.append(value if isinstance(value, str) else "")
    shown = canonical(code)
    return (shown if shown in BY_CODE else SOURCE_LANG), texts
