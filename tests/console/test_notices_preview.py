"""The preview shows, for each kiosk language, the text that screen would show."""

from server.console.notice_preview import CARD_H, CARD_W, CARD_X, preview


def test_each_language_falls_back_as_the_kiosk_does() -> None:
    cards = preview(
        {"ja": "給水所", "en": "Water", "ja-easy": "みず の ばしょ"},
        {"ja": "本文", "en": "Body"},
        "normal",
    )
    shown = {c.screen_lang: (c.shown_lang, c.title, c.body) for c in cards}
    assert [c.screen_lang for c in cards] == ["ja", "ja-easy", "en", "zh", "ko", "vi"]
    assert shown["ja"] == ("ja", "給水所", "本文")
    assert shown["en"] == ("en", "Water", "Body")
    assert shown["zh"] == ("en", "Water", "Body")
    assert shown["vi"] == ("en", "Water", "Body")
    # やさしい日本語 has a title but no body: the screen shows Japanese for both, never a mix.
    assert shown["ja-easy"] == ("ja", "給水所", "本文")
    assert [c.screen_lang for c in cards if c.falls_back] == ["ja-easy", "zh", "ko", "vi"]


def test_without_english_every_other_language_shows_japanese() -> None:
    cards = preview({"ja": "給水所", "ko": "급수소"}, None, "urgent")
    shown = {c.screen_lang: c.shown_lang for c in cards}
    assert shown == {"ja": "ja", "ja-easy": "ja", "en": "ja", "zh": "ja", "ko": "ko", "vi": "ja"}
    assert all(c.urgent for c in cards)
    assert {c.screen_lang: c.breaking for c in cards}["ko"] == "spaces"
    assert {c.screen_lang: c.breaking for c in cards}["en"] == "kinsoku"  # Japanese text


def test_the_card_has_the_kiosks_size_at_800_by_480() -> None:
    assert (CARD_X, CARD_W) == (466, 326)
    assert 200 < CARD_H < 240
