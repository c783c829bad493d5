"""The kiosk's languages and the one fallback order every text follows.

Content (notices, the heat alert's message, station names) carries a text per language as
``{code: text}`` and must always have Japanese (``ja``). A screen in a language the content
lacks shows the whole block in the first language of that screen's fallback chain that the
content has — やさしい日本語 falls back to 日本語; every other language to English, then
日本語 — never half in one language and half in another. The kiosk, the server and the
staff console's preview all use this module.
"""

from collections.abc import Mapping, Sequence

SOURCE_LANG = "ja"
# The language bar's order.
KIOSK_LANGS: tuple[str, ...] = ("ja", "ja-easy", "en", "zh", "ko", "vi")
# Other spellings content may use for a kiosk language.
ALIASES: dict[str, tuple[str, ...]] = {"zh": ("zh-Hans", "zh-CN")}


def fallback_chain(lang: str) -> tuple[str, ...]:
    """The languages to try, in order, for a screen in ``lang``; always ends with ``ja``."""
    if lang not in KIOSK_LANGS or lang == SOURCE_LANG:
        return (SOURCE_LANG,)
    if lang == "ja-easy":
        return ("ja-easy", SOURCE_LANG)
    own = (lang, *ALIASES.get(lang, ()))
    return (*own, "en", SOURCE_LANG) if lang != "en" else ("en", SOURCE_LANG)


def _text(texts: Mapping[str, object], code: str) -> str | None:
    value = texts.get(code)
    return value if isinstance(value, str) and value.strip() else None


def choose_language(blocks: Sequence[Mapping[str, object] | None], lang: str) -> str | None:
    """The first language of ``lang``'s chain in which the first block has a text and every
    other non-empty block too: a notice's title and body are shown in one language."""
    present = [b for b in blocks if isinstance(b, Mapping) and any(_text(b, k) for k in b)]
    if not present:
        return None
    for code in fallback_chain(lang):
        if all(_text(b, code) is not None for b in present):
            return code
    for code in fallback_chain(lang):  # then the first block alone decides
        if _text(present[0], code) is not None:
            return code
    return next(k for k in present[0] if _text(present[0], k) is not None)


def pick(texts: Mapping[str, object] | object, lang: str) -> tuple[str, str] | None:
    """``(language, text)`` for a screen in ``lang``, or None when there is no text."""
    if not isinstance(texts, Mapping):
        return None
    code = choose_language([texts], lang)
    if code is None:
        return None
    text = _text(texts, code)
    return None if text is None else (code, text)


def canonical(code: str) -> str:
    """An alias (``zh-Hans``) as the kiosk language it stands for (``zh``)."""
    for lang, aliases in ALIASES.items():
        if code in aliases:
            return lang
    return code
