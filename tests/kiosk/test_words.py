"""Every text in one language per block, words kept whole, sizes in millimetres — no window."""

import re

from contract.languages import KIOSK_LANGS, choose_language, fallback_chain
from kiosk.i18n import LANGUAGES, Translator
from kiosk.situation import assess
from kiosk.textfit import LARGE_TEXT_STEPS, TYPE_SCALE, mm_of_px, px_of_mm, snap_size
from kiosk.trend import hour_ticks
from kiosk.viewmodel import HomeView, build_view, station_name
from kiosk.wordwrap import block_size, wrap_text
from localstate import AlertView, NoticeView, ReadingView
from tests.kiosk.snapshots import NOW, snapshot

NAMES = {"ja": "中区給水所", "en": "Naka water station"}
TR = Translator()


def view(lang: str, notice: NoticeView | None = None, **changes: object) -> HomeView:
    shown = (notice, 0, 1) if notice else None
    return build_view(assess(snapshot(**changes), NOW), lang, TR, NOW, NAMES, shown)


# --- one language per block -------------------------------------------------------------
def test_the_fallback_order_is_easy_to_japanese_and_the_others_to_english_then_japanese() -> None:
    assert fallback_chain("ja") == ("ja",)
    assert fallback_chain("ja-easy") == ("ja-easy", "ja")
    assert fallback_chain("en") == ("en", "ja")
    assert fallback_chain("vi") == ("vi", "en", "ja")
    assert fallback_chain("zh") == ("zh", "zh-Hans", "zh-CN", "en", "ja")
    assert fallback_chain("fr") == ("ja",)  # not a kiosk language
    assert [lang.code for lang in LANGUAGES] == list(KIOSK_LANGS)


def test_a_notice_without_vietnamese_is_shown_wholly_in_english_on_the_vietnamese_screen() -> None:
    notice = NoticeView(
        "n", 1, "normal",
        {"ja": "断水のお知らせ", "en": "Water cut"},
        {"ja": "明日は断水します。", "en": "No water tomorrow."},
        None, None, None,
    )  # fmt: skip
    vi = view("vi", notice)
    assert (vi.notice_title, vi.notice_body, vi.notice_lang) == (
        "Water cut",
        "No water tomorrow.",
        "en",
    )


def test_a_chinese_title_without_a_chinese_body_never_mixes_chinese_and_english() -> None:
    notice = NoticeView(
        "n", 1, "normal",
        {"ja": "断水", "en": "Water cut", "zh": "停水"},
        {"ja": "明日は断水します。", "en": "No water tomorrow."},
        None, None, None,
    )  # fmt: skip
    zh = view("zh", notice)
    assert (zh.notice_title, zh.notice_body) == ("Water cut", "No water tomorrow.")
    easy = view("ja-easy", notice)
    assert (easy.notice_title, easy.notice_lang) == ("断水", "ja")
    assert choose_language([{"ja": "x", "vi": "y"}, None], "vi") == "vi"  # no body: fine


def test_the_alert_headline_is_in_the_screens_language_and_the_message_in_one_language() -> None:
    alert = AlertView(
        "heatstroke_alert", 1, 33.4, None, {"ja": "外出を控えて", "en": "Stay indoors"}, None
    )
    vi = view("vi", alert=alert)
    # Two blocks: the kiosk's headline and forecast in Vietnamese, the ward's message whole
    # in English, named "English".
    assert vi.alert_text == TR.text("vi", "alert.heatstroke_alert")
    assert vi.alert_forecast == TR.text("vi", "alert.forecast", value="33,4")
    assert (vi.alert_lang, vi.alert_detail, vi.alert_lang_tag) == ("en", "Stay indoors", "English")
    with_vi = AlertView(alert.alert, 1, None, None, {**alert.message, "vi": "Ở trong nhà"}, None)
    both = view("vi", alert=with_vi)
    assert (both.alert_lang, both.alert_detail, both.alert_lang_tag) == ("vi", "Ở trong nhà", "")
    assert both.alert_forecast == ""  # no forecast given
    easy = view("ja-easy", alert=alert)
    assert (easy.alert_lang, easy.alert_lang_tag) == ("ja", "日本語")
    assert easy.alert_text == TR.text("ja-easy", "alert.heatstroke_alert")
    bare = view("ko", alert=AlertView(alert.alert, 1, None, None, {}, None))
    assert (bare.alert_lang, bare.alert_lang_tag) == ("ko", "")
    assert bare.alert_detail == TR.text("ko", "alert.guidance")


def test_the_station_is_named_in_the_screens_language() -> None:
    names = {"ja": "中区給水所", "en": "Naka water station", "zh": "中区供水站"}
    assert station_name(names, "zh") == "中区供水站"
    assert station_name(names, "vi") == "Naka water station"
    assert station_name(names, "ja-easy") == "中区給水所"
    assert station_name({"ja": "中区給水所"}, "en") == "中区給水所"


def test_without_a_notice_there_is_no_empty_card() -> None:
    assert view("ja").notice_title == ""


def test_the_danger_screen_is_red_from_the_top_and_labels_its_value() -> None:
    danger = ReadingView(NOW - 30_000, 35.2, 60.0, 31.8, "danger", "ok", "synced")
    v = view("ja", latest=danger)
    assert v.takeover
    assert v.background == v.band_colour
    assert v.wbgt_label == "暑さ指数（WBGT・推定）"
    assert v.wbgt_text == "31.8"
    assert "気温 35.2℃" in v.details_text


# --- lines --------------------------------------------------------------------------------
EASY = TR.text("ja-easy", "danger.guidance")  # words with spaces between them


def test_easy_japanese_breaks_only_between_words() -> None:
    words = set(re.split(r"[ 、。]", EASY)) - {""}
    for width in range(190, 700, 37):  # every word fits on a line
        lines = wrap_text(EASY, width, 24, "ja-easy").split("\n")
        assert len(lines) > 1 or width > 600
        for line in lines:
            for piece in re.split(r"[ 、。]", line):
                assert piece == "" or piece in words, (width, line)
        assert "".join(lines).replace(" ", "") == EASY.replace(" ", "")
        assert not any(line.startswith(("。", "、")) for line in lines)


def test_a_block_gets_smaller_rather_than_cut_a_word_it_could_keep_whole() -> None:
    label = "あつさの レベル（けいさん）"  # the danger screen's value label, 9 ems unbroken
    size = block_size(label, 160, 21, 0, 116, "ja-easy", 10)
    assert size < 21
    assert "レベル（けいさん）" in wrap_text(label, 160, size, "ja-easy").split("\n")
    vietnamese = block_size("Chỉ số nóng (WBGT, ước tính)", 70, 21, 0, 300, "vi", 10)
    assert vietnamese < 21  # "(WBGT," whole
    assert block_size("今すぐ涼しい場所へ。", 70, 21, 0, 300, "ja", 10) == 19  # may break anywhere


def test_a_title_never_leaves_one_character_alone_on_its_last_line() -> None:
    for text in (
        "給水所は9時から18時までです",
        "冷たい水を用意していま す",
        "熱中症に気をつけましょう。",
    ):
        for width in range(150, 500, 7):  # from six characters a line
            last = wrap_text(text, width, 24, "ja", title=True).split("\n")[-1]
            assert len(last.strip(" 。")) > 1, (text, width, last)
    assert wrap_text("Open 9:00 to 18:00", 300, 24, "en", title=True).endswith("to\u00a018:00")


# --- sizes ----------------------------------------------------------------------------------
def test_large_text_is_at_least_one_and_a_half_times_every_size() -> None:
    for size in TYPE_SCALE[:-LARGE_TEXT_STEPS]:
        assert snap_size(size, LARGE_TEXT_STEPS) >= 1.5 * size
        assert snap_size(size * 1.1, LARGE_TEXT_STEPS) >= 1.5 * snap_size(size * 1.1)


def test_millimetres_on_the_seven_inch_panel() -> None:
    assert round(px_of_mm(15, 132), 1) == 78.0
    assert snap_size(px_of_mm(16, 132)) == 80
    assert mm_of_px(80, 132) >= 15


def test_advice_shrinks_to_its_room_but_never_below_five_millimetres() -> None:
    advice = TR.text("ja", "danger.guidance")
    roomy = block_size(advice, 760, px_of_mm(8, 132), 0, 400, "ja", px_of_mm(5, 132))
    tight = block_size(advice, 760, px_of_mm(8, 132), 0, 90, "ja", px_of_mm(5, 132))
    cramped = block_size(advice, 760, px_of_mm(8, 132), 0, 10, "ja", px_of_mm(5, 132))
    assert roomy > tight >= cramped
    assert mm_of_px(cramped, 132) >= 5


def test_the_trend_axis_marks_every_sixth_jst_hour() -> None:
    ticks = hour_ticks(NOW)
    assert [t.label for t in ticks] == ["6:00", "12:00", "18:00", "0:00"]
    assert all(0 <= t.x <= 1 for t in ticks)
    assert ticks == tuple(sorted(ticks, key=lambda t: t.x))


def test_a_level_word_of_several_words_takes_two_lines_rather_than_shrink() -> None:
    from kiosk.textfit import LINE_HEIGHT, level_height, level_size, level_text

    word_px = px_of_mm(16, 132.0)  # the level word on the 7" panel
    # 「Gần như an toàn」 beside the icon and the value: one line would be 48 px.
    assert level_text("Gần như an toàn", 460, word_px, 0, 200) == "Gần như\nan toàn"
    assert mm_of_px(level_size("Gần như an toàn", 460, word_px, 0, 200), 132.0) >= 15
    assert level_height("Gần như an toàn", 460, word_px, 0) < 2 * 80 * LINE_HEIGHT
    # One word, or room enough on one line: one line.
    assert level_text("厳重警戒", 460, word_px, 0, 200) == "厳重警戒"
    assert level_text("Cảnh giác", 460, word_px, 0, 200) == "Cảnh giác"
    assert level_height("Cảnh giác", 460, word_px, 0) == 80 * LINE_HEIGHT
    # Too little height for two lines: one smaller line, never a word cut.
    assert level_text("Gần như an toàn", 460, word_px, 0, 120) == "Gần như an toàn"
