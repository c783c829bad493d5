"""The heat-alert page's form checks, and what it reads back as set now."""

from datetime import datetime
from pathlib import Path

from contract.content import AlertKind, HeatAlert
from contract.jst import JST
from server.console.heat_alert import AlertForm
from server.official.current import current_alert
from server.registry.db import Registry, now_ms
from server.registry.models import OfficialAlertDay
from server.registry.stations import audit

NOW = int(datetime(2026, 7, 26, 9, 0, tzinfo=JST).timestamp() * 1000)


def test_a_complete_form_is_what_the_api_takes_with_the_expiry_in_jst() -> None:
    form = AlertForm.parse(
        {
            "alert": "special_heatstroke_alert",
            "valid_on": "2026-07-27",
            "forecast_wbgt": "35.2",
            "message_ja": "外出を控えましょう",
            "message_ja-easy": "そとに でないように しましょう",
            "message_en": "Stay indoors",
            "message_vi": "Hãy ở trong nhà",
            "expires_at": "2026-07-27T23:00",
            "area": " 横浜市 ",
        }
    )
    body = form.checked(NOW)
    assert form.errors == {}
    assert body is not None
    assert body.alert is AlertKind.SPECIAL_HEATSTROKE_ALERT
    assert body.forecast_wbgt == 35.2
    assert body.area == "横浜市"
    assert body.expires_at == datetime(2026, 7, 27, 23, 0, tzinfo=JST)
    # every kiosk language the form was given reaches the API, and only those
    assert body.texts() == {
        "ja": "外出を控えましょう",
        "ja-easy": "そとに でないように しましょう",
        "en": "Stay indoors",
        "vi": "Hãy ở trong nhà",
    }


def test_each_mistake_is_reported_on_its_field() -> None:
    form = AlertForm.parse(
        {
            "alert": "heatstroke_alert",
            "valid_on": "2026-02-30",
            "forecast_wbgt": "hot",
            "message_en": "English only",
            "expires_at": "2026-07-25T12:00",
        }
    )
    assert form.checked(NOW) is None
    assert form.errors == {
        "valid_on": "heat.error.valid_on",
        "forecast_wbgt": "heat.error.forecast",
        "message_ja": "heat.error.message_ja_required",
        "expires_at": "heat.error.expiry_past",
    }


def test_what_is_set_now_is_the_newest_setting_with_who_and_when(tmp_path: Path) -> None:
    registry = Registry(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    try:
        with registry.session() as session:
            assert current_alert(session) is None
            audit(session, "sato", "heat_alert.set", "heatstroke_alert", "2026-07-26")
        with registry.session() as session:
            older = current_alert(session)
        assert older is not None
        assert (older.kind, older.set_by, older.valid_on, older.alert) == (
            "heatstroke_alert",
            "sato",
            "2026-07-26",
            None,
        )
        published = HeatAlert(
            id="heat",
            version=NOW,
            issued_at=NOW,
            expires_at=NOW + 3_600_000,
            alert=AlertKind.SPECIAL_HEATSTROKE_ALERT,
            message={"ja": "外出を控えましょう"},
        )
        with registry.session() as session:
            detail = published.model_dump_json(exclude_none=True)
            audit(session, "suzuki", "heat_alert.set", "special_heatstroke_alert", detail)
        with registry.session() as session:
            now = current_alert(session)
        assert now is not None
        assert now.set_by == "suzuki"
        assert now.alert == published
        assert now.active(NOW)
        assert not now.active(NOW + 3_600_000)  # expired: the screens dropped it

        # The Ministry's file sets the alert later: that is what the stations show now.
        with registry.session() as session:
            session.add(
                OfficialAlertDay(
                    day="2026-07-26",
                    alert="heatstroke_alert",
                    by_staff=False,
                    applied_at=now_ms() + 1000,  # after the staff setting above
                )
            )
        with registry.session() as session:
            official = current_alert(session)
        assert official is not None
        assert official.by_official
        assert official.kind == "heatstroke_alert"
        assert official.valid_on == "2026-07-26"
        assert official.alert is not None
        assert official.alert.message is not None
        assert "ja" in official.alert.message
        assert official.active(NOW)
    finally:
        registry.close()
