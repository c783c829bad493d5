"""What the screen decides, tested without a window: priority, carousel, idle, schedule."""

from datetime import datetime

import pytest

from contract.jst import JST
from contract.levels import Level, ordered_levels
from kiosk.admin import HOLD_S, LOCKOUT_S, PAD_TIMEOUT_S, AdminGate, PinResult
from kiosk.carousel import Carousel, notice_order
from kiosk.display import DisplayPolicy, DisplayState, burn_in_offset, screen_on_at
from kiosk.i18n import LANGUAGES, Translator, catalog_path, load_catalog, pick_text
from kiosk.idle import IdleReset
from kiosk.situation import Condition, assess
from kiosk.textfit import fitting_size, snap_size
from kiosk.trend import trend_geometry
from kiosk.viewmodel import build_view, clock_text
from localstate import AlertView, NoticeView, ReadingView
from tests.kiosk.snapshots import NOW, snapshot


def notice(nid: str, priority: str = "normal", version: int = 1, **kw: int) -> NoticeView:
    return NoticeView(
        nid, version, priority, {"ja": nid}, {}, kw.get("starts"), kw.get("ends"), None
    )


# --- what to show now -----------------------------------------------------------------
def test_no_local_state_at_all_means_no_reading_yet() -> None:
    assert assess(None, NOW).condition is Condition.NO_READING


def test_a_fresh_reading_shows_its_level() -> None:
    situation = assess(snapshot(), NOW)
    assert situation.condition is Condition.READING
    assert situation.level is Level.SEVERE_WARNING
    assert not situation.takeover


def test_danger_takes_over_only_while_the_reading_is_fresh() -> None:
    danger = ReadingView(NOW - 30_000, 36.0, 70.0, 31.0, "danger", "ok", "synced")
    assert assess(snapshot(latest=danger), NOW).takeover
    silent = snapshot(latest=danger, agent_heartbeat_at=NOW - 601_000)
    assert assess(silent, NOW).condition is Condition.STALE
    assert not assess(silent, NOW).takeover


def test_an_old_reading_from_a_live_agent_is_stale_too() -> None:
    old = ReadingView(NOW - 700_000, 30.0, 60.0, 26.0, "warning", "ok", "synced")
    assert assess(snapshot(latest=old), NOW).condition is Condition.STALE


def test_a_fault_shows_no_value() -> None:
    fault = ReadingView(NOW - 10_000, None, None, None, None, "fault", "synced")
    assert assess(snapshot(latest=fault), NOW).condition is Condition.FAULT
    assert assess(snapshot(sensor="fault"), NOW).condition is Condition.FAULT
    assert assess(snapshot(latest=None, sensor="fault"), NOW).condition is Condition.FAULT


@pytest.mark.parametrize("name", ["scorching", "", "DANGER"])
def test_an_unknown_level_name_is_recomputed_from_the_value(name: str) -> None:
    odd = ReadingView(NOW - 10_000, 30.0, 60.0, 31.0, name, "ok", "synced")
    assert assess(snapshot(latest=odd), NOW).level is Level.DANGER


def test_offline_is_noticed_but_the_reading_still_shows() -> None:
    situation = assess(snapshot(network="offline"), NOW)
    assert situation.offline
    assert situation.condition is Condition.READING


def test_only_a_known_unexpired_alert_is_shown() -> None:
    alert = AlertView("heatstroke_alert", 1, 34.0, None, {}, NOW + 60_000)
    assert assess(snapshot(alert=alert), NOW).alert == alert
    expired = AlertView("heatstroke_alert", 1, 34.0, None, {}, NOW - 1)
    assert assess(snapshot(alert=expired), NOW).alert is None
    for kind in ("none", "meteor_warning"):
        assert assess(snapshot(alert=AlertView(kind, 1, None, None, {}, None)), NOW).alert is None


# --- the view: text from catalogs, plain text only ------------------------------------
def test_every_catalog_translates_every_japanese_message() -> None:
    source = load_catalog(catalog_path("ja"))
    for lang in LANGUAGES:
        catalog = load_catalog(catalog_path(lang.code))
        assert set(catalog) == set(source), lang.code


def test_japanese_and_english_level_texts_agree_with_the_contract() -> None:
    tr = Translator()
    for level in ordered_levels():
        info = level.info
        assert tr.text("ja", f"level.{level.value}.name") == info.name_ja
        assert tr.text("en", f"level.{level.value}.name") == info.name_en
        assert tr.text("ja", f"level.{level.value}.guidance") == info.guidance_ja
        assert tr.text("en", f"level.{level.value}.guidance") == info.guidance_en


def test_notice_text_falls_back_to_japanese_and_survives_odd_values() -> None:
    assert pick_text({"ja": "断水", "en": "Water cut"}, "ko") == "Water cut"
    assert pick_text({"ja": "断水"}, "ja-easy") == "断水"
    assert pick_text({"fr": "Coupure"}, "ja") == "Coupure"
    assert pick_text(["not", "a", "dict"], "ja") == ""
    assert pick_text({"ja": 5}, "ja") == ""


def test_the_view_keeps_markup_as_typed_and_shows_every_language() -> None:
    tr = Translator()
    markup = NoticeView("m", 1, "high", {"ja": "[b]太字[/b] <script>"}, {}, None, None, None)
    for lang in LANGUAGES:
        view = build_view(
            assess(snapshot(), NOW),
            lang.code,
            tr,
            NOW,
            {"ja": "給水所", "en": "Station"},
            (markup, 0, 1),
        )
        assert view.notice_title == "[b]太字[/b] <script>"
        assert view.level_word == tr.text(lang.code, "level.severe_warning.name")
        assert view.wbgt_text.replace(",", ".") == "29.0"


# --- the notice carousel --------------------------------------------------------------
def test_notices_run_in_priority_order_within_their_schedule() -> None:
    notices = [
        notice("b-low", "low"),
        notice("a-normal"),
        notice("c-urgent", "urgent"),
        notice("d-high", "high"),
        notice("e-later", starts=NOW + 1),
        notice("f-over", ends=NOW),
        notice("g-odd-priority", "whatever"),
    ]
    ids = [n.notice_id for n in notice_order(notices, NOW)]
    assert ids == ["c-urgent", "d-high", "a-normal", "g-odd-priority", "b-low"]


def test_each_notice_stays_for_the_dwell_time_and_every_showing_is_a_receipt() -> None:
    carousel = Carousel(dwell_s=10)
    carousel.update([notice("a"), notice("b")], NOW)
    carousel.tick(NOW + 9_999)
    assert carousel.current is not None
    assert carousel.current.notice_id == "a"
    carousel.tick(NOW + 10_000)
    assert carousel.current is not None
    assert carousel.current.notice_id == "b"
    [receipt] = carousel.take_receipts()
    assert (receipt.notice_id, receipt.shown_at, receipt.duration_s) == ("a", NOW, 10.0)


def test_an_urgent_notice_interrupts_once() -> None:
    carousel = Carousel(dwell_s=10)
    carousel.update([notice("a"), notice("b")], NOW)
    carousel.step(+1, NOW + 1_000)
    carousel.update([notice("a"), notice("b"), notice("z", "urgent")], NOW + 2_000)
    assert carousel.current is not None
    assert carousel.current.notice_id == "z"
    carousel.step(+1, NOW + 3_000)
    carousel.update([notice("a"), notice("b"), notice("z", "urgent")], NOW + 4_000)
    assert carousel.current is not None
    assert carousel.current.notice_id == "a"


def test_hidden_time_is_not_a_showing_and_a_language_change_starts_a_new_one() -> None:
    carousel = Carousel(dwell_s=10)
    carousel.update([notice("a")], NOW)
    carousel.set_visible(False, NOW + 2_000)
    carousel.set_visible(True, NOW + 60_000)
    carousel.set_lang("en", NOW + 61_000)
    receipts = carousel.take_receipts()
    assert [(r.duration_s, r.lang) for r in receipts] == [(2.0, "ja"), (1.0, "ja")]
    assert carousel.showing is not None
    assert carousel.showing.lang == "en"


def test_a_withdrawn_notice_leaves_and_its_showing_ends() -> None:
    carousel = Carousel(dwell_s=10)
    carousel.update([notice("a")], NOW)
    carousel.update([], NOW + 4_000)
    assert carousel.current is None
    assert [r.duration_s for r in carousel.take_receipts()] == [4.0]


# --- idle, schedule, burn-in ----------------------------------------------------------
def test_the_screen_returns_to_japanese_after_nobody_touched_it() -> None:
    idle = IdleReset(reset_after_s=90)
    idle.touched(1000.0)
    assert idle.lang_now("vi", 1089.0) == "vi"
    assert idle.lang_now("vi", 1090.0) == "ja"


def at_jst(hhmm: str) -> int:
    hour, minute = map(int, hhmm.split(":"))
    return int(datetime(2026, 7, 26, hour, minute, tzinfo=JST).timestamp() * 1000)


def test_the_display_schedule_is_jst_and_may_wrap_midnight() -> None:
    assert screen_on_at("05:00", "23:00", at_jst("05:00"))
    assert not screen_on_at("05:00", "23:00", at_jst("23:00"))
    assert screen_on_at("18:00", "02:00", at_jst("01:59"))
    assert not screen_on_at("18:00", "02:00", at_jst("12:00"))
    assert screen_on_at("nonsense", "23:00", at_jst("03:00"))  # never dark by mistake


def test_at_night_the_screen_is_off_until_someone_passes_or_touches() -> None:
    policy = DisplayPolicy(wake_s=120, dim_after_s=1800)
    night = at_jst("02:00")
    assert policy.state("05:00", "23:00", night, None, None) is DisplayState.OFF
    assert policy.state("05:00", "23:00", night, night - 60_000, None) is DisplayState.ON
    assert policy.state("05:00", "23:00", night, None, night - 119_000) is DisplayState.ON
    assert policy.state("05:00", "23:00", night, None, night - 121_000) is DisplayState.OFF


def test_by_day_a_station_with_a_presence_sensor_dims_when_nobody_passes() -> None:
    policy = DisplayPolicy(wake_s=120, dim_after_s=1800)
    day = at_jst("14:00")
    assert policy.state("05:00", "23:00", day, None, None) is DisplayState.ON
    assert policy.state("05:00", "23:00", day, None, day - 1_800_000) is DisplayState.DIM
    assert policy.state("05:00", "23:00", day, day - 1_000, day - 1_800_000) is DisplayState.ON


def test_the_picture_shifts_slowly_and_stays_within_its_margin() -> None:
    offsets = {burn_in_offset(t * 300.0, 6, 300) for t in range(9)}
    assert len(offsets) == 9
    assert all(abs(dx) <= 6 and abs(dy) <= 6 for dx, dy in offsets)
    assert burn_in_offset(10.0, 6, 300) == burn_in_offset(299.0, 6, 300)
    assert burn_in_offset(1234.0, 0, 300) == (0, 0)


# --- trend and text fitting -----------------------------------------------------------
def test_the_trend_covers_24_hours_with_every_level_band() -> None:
    history = [(NOW - 86_400_000, 20.0, "safe"), (NOW, 33.0, "danger")]
    geometry = trend_geometry(history, NOW, 240, 100)
    assert [b.level for b in geometry.bands] == list(ordered_levels())
    assert geometry.line == (0.0, 25.0, 240.0, 90.0)
    wide = trend_geometry([(NOW, 38.0, "danger")], NOW, 240, 100)
    assert wide.high_c == 38.0
    assert wide.line[-1] == 100.0


def test_long_level_words_shrink_to_fit_instead_of_being_cut() -> None:
    assert fitting_size("危険", 400, 48) == 48
    assert fitting_size("Cảnh giác cao", 200, 48) < 48
    assert fitting_size("Cảnh giác cao", 200, 48) * 13 * 0.6 <= 200


def test_font_sizes_snap_to_a_short_scale() -> None:
    sizes = {snap_size(px / 4) for px in range(40, 800)}
    assert len(sizes) == 14  # 10–200 px in 14 sizes: each one more open font face
    assert snap_size(47.9) == 38
    assert snap_size(171) == 156


# --- the technician's way out ---------------------------------------------------------
def long_press(gate: AdminGate, at: float, hold: float, inside: bool = True) -> bool:
    gate.press(at)
    return gate.release(at + hold, inside)


def test_only_a_long_still_press_opens_the_pin_pad_never_a_childs_taps() -> None:
    gate = AdminGate("2608")
    assert not any(long_press(gate, t * 0.3, 0.1) for t in range(50))  # tapping away
    assert not long_press(gate, 20.0, HOLD_S - 0.5)  # not quite long enough
    assert not long_press(gate, 30.0, HOLD_S + 1, inside=False)  # slid off the corner
    assert not gate.release(40.0)  # a release without a press
    assert long_press(gate, 100.0, HOLD_S)
    opened = 100.0 + HOLD_S
    assert gate.is_open(opened + PAD_TIMEOUT_S - 0.1)
    assert not gate.is_open(opened + PAD_TIMEOUT_S + 0.1)  # it closes itself
    assert PAD_TIMEOUT_S <= 10


def test_each_key_keeps_the_pad_open_and_cancel_closes_it() -> None:
    gate = AdminGate("2608")
    assert long_press(gate, 0.0, HOLD_S)
    gate.key(HOLD_S + 8)
    assert gate.is_open(HOLD_S + 8 + PAD_TIMEOUT_S - 0.1)
    gate.close()
    assert not gate.is_open(HOLD_S + 9)


def test_without_a_pin_there_is_no_way_out_by_touch() -> None:
    gate = AdminGate("")
    assert not long_press(gate, 100.0, HOLD_S + 1)
    assert gate.try_pin("", 101.0) is PinResult.LOCKED


def test_wrong_pins_lock_the_pad_for_a_while() -> None:
    gate = AdminGate("2608")
    results = [gate.try_pin("0000", 10.0) for _ in range(5)]
    assert results == [PinResult.WRONG] * 4 + [PinResult.LOCKED]
    assert gate.try_pin("2608", 11.0) is PinResult.LOCKED  # even the right one, for now
    assert not long_press(gate, 12.0, HOLD_S)
    assert gate.try_pin("2608", 10.0 + LOCKOUT_S) is PinResult.OK


def test_high_contrast_is_light_text_on_black_and_keeps_the_level_colour() -> None:
    tr = Translator()
    normal = build_view(assess(snapshot(), NOW), "ja", tr, NOW, {"ja": "駅", "en": "St"}, None)
    high = build_view(assess(snapshot(), NOW), "ja", tr, NOW, {"ja": "駅", "en": "St"}, None, True)
    assert high.background == (0.0, 0.0, 0.0, 1.0)
    assert high.foreground == (1.0, 1.0, 1.0, 1.0)
    assert normal.background != high.background
    assert high.band_colour == normal.band_colour


def test_dates_are_jst_in_each_languages_own_words() -> None:
    tr = Translator()
    assert clock_text(NOW, "ja", tr) == "7月26日(日) 02:20"
    assert clock_text(NOW, "ko", tr) == "7월 26일 (일) 02:20"
    assert clock_text(NOW, "vi", tr) == "CN, 26/7 02:20"
    assert clock_text(NOW, "en", tr) == "Sun 26 Jul 02:20"  # never 7/26 or 26/7


def test_equal_on_and_off_times_mean_no_schedule_so_the_screen_stays_on() -> None:
    assert all(screen_on_at("07:00", "07:00", at_jst(t)) for t in ("00:00", "07:00", "18:30"))
