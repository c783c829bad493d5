"""The notice editor tells staff what is wrong next to the field, before anything is sent."""

from datetime import datetime

from contract.jst import JST
from server.console.notice_form import NoticeForm, field_of

NOW = int(datetime(2026, 7, 26, 9, 0, tzinfo=JST).timestamp() * 1000)


def form(**fields: str) -> NoticeForm:
    return NoticeForm.parse({"title_ja": "給水所のお知らせ"} | fields)


def test_a_complete_form_becomes_the_notice_the_api_takes_with_times_read_as_jst() -> None:
    notice = form(
        title_en="Water station notice",
        body_ja="水分をとりましょう。",
        priority="high",
        target_scope="area",
        target_area="naka",
        starts_at="2026-07-26T10:00",
        ends_at="2026-07-26T18:30",
    ).new_notice(NOW)
    assert notice is not None
    assert notice.title == {"ja": "給水所のお知らせ", "en": "Water station notice"}
    assert notice.body == {"ja": "水分をとりましょう。"}
    assert notice.target.key == "area:naka"
    assert notice.priority.value == "high"
    assert notice.starts_at == datetime(2026, 7, 26, 10, 0, tzinfo=JST)
    assert notice.ends_at == datetime(2026, 7, 26, 18, 30, tzinfo=JST)


def test_languages_left_blank_are_not_sent() -> None:
    notice = form(title_vi="   ", body_en="").new_notice(NOW)
    assert notice is not None
    assert notice.title == {"ja": "給水所のお知らせ"}
    assert notice.body is None


def test_each_mistake_is_reported_on_its_own_field() -> None:
    checked = NoticeForm.parse(
        {
            "title_ja": "",
            "title_en": "English only",
            "body_en": "Body without Japanese",
            "starts_at": "2026-07-26T12:00",
            "ends_at": "2026-07-26T11:00",
            "expires_at": "2026-07-25T12:00",
            "target_scope": "station",
            "title_ko": "가" * 2001,
        }
    )
    assert checked.new_notice(NOW) is None
    assert checked.errors == {
        "title_ja": "notices.error.title_ja_required",
        "body_ja": "notices.error.body_ja_required",
        "title_ko": "notices.error.too_long",
        "ends_at": "notices.error.end_before_start",
        "expires_at": "notices.error.expiry_past",
        "target": "notices.error.target_needed",
    }


def test_a_time_that_is_not_a_time_is_refused_on_its_field() -> None:
    checked = form(starts_at="tomorrow")
    assert checked.update(NOW) is None
    assert checked.errors == {"starts_at": "notices.error.bad_time"}


def test_an_id_the_api_refuses_is_reported_on_the_target_field() -> None:
    checked = form(target_scope="station", target_station="Not An Id!")
    assert checked.new_notice(NOW) is None
    assert list(checked.errors) == ["target"]


def test_api_locations_name_the_form_fields() -> None:
    assert field_of("title.en") == "title_en"
    assert field_of("body.ja-easy") == "body_ja-easy"
    assert field_of("title") == "title_ja"
    assert field_of("expires_at") == "expires_at"
    assert field_of("target.id") == "target"
    assert field_of("notice") == "form"
