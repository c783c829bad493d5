"""Japanese and Chinese text breaks into lines the way a reader expects."""

import itertools

from hypothesis import example, given
from hypothesis import strategies as st

from kiosk.linebreak import NO_LINE_END, NO_LINE_START, units_of, wrap_cjk
from kiosk.textfit import em_width

GUIDANCE = "運動や作業のときは、こまめに休憩してください。"


def test_a_full_stop_never_starts_a_line() -> None:
    # At this width Kivy alone would leave "。" by itself on the second line.
    lines = wrap_cjk(GUIDANCE, width_px=22 * 19, font_px=19).split("\n")
    assert len(lines) == 2
    assert lines[1].endswith("い。")
    assert len(lines[1]) >= 2  # the full stop took the character before it along
    assert "".join(lines) == GUIDANCE


def test_an_opening_bracket_never_ends_a_line() -> None:
    lines = wrap_cjk("お知らせ「給水所の場所」です。", width_px=6 * 10, font_px=10).split("\n")
    assert all(line[-1] not in NO_LINE_END for line in lines)
    assert "".join(lines) == "お知らせ「給水所の場所」です。"


def test_text_with_spaces_between_words_is_left_to_the_label() -> None:
    for text in ("Drink water now and then.", "Uống nước thường xuyên.", "물을 드세요. 쉬세요."):
        assert wrap_cjk(text, width_px=50, font_px=10) == text


@given(
    text=st.text(alphabet="給水所の熱中症に注意してください、。「」（）ー123 ab", max_size=80),
    width_ems=st.integers(min_value=3, max_value=30),
)
@example(text="1、1、（ 1", width_ems=3)  # a space after the bracket hid it from the rule
def test_lines_fit_keep_every_character_and_obey_the_rules(text: str, width_ems: int) -> None:
    wrapped = wrap_cjk(text, width_px=width_ems * 10, font_px=10)
    assert wrapped.replace("\n", "").replace(" ", "") == text.replace(" ", "")
    lines = wrapped.split("\n")
    for previous, line in itertools.pairwise(lines):
        units = units_of(previous)
        # Only a line of a single unit cannot give a character to the mark after it.
        assert line[:1] not in NO_LINE_START or len(units) == 1
        assert previous[-1:] not in NO_LINE_END or len(units) == 1
    for line in lines:
        # Kinsoku may carry a character or two past the width; a single long word may too.
        assert em_width(line) <= width_ems + 2 or len(units_of(line)) == 1
