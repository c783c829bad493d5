"""Everything the window shows, as plain strings and colours: built without Kivy.

The window binds its labels to one ``HomeView``; a new view that equals the old one
changes nothing on screen, so an unchanged state costs no redraw.
"""

from dataclasses import dataclass, field
from datetime import datetime

from contract.content import ALERT_COLOURS, AlertKind
from contract.jst import JST
from contract.languages import pick
from contract.levels import ordered_levels
from kiosk.disaster import DisasterView, disaster_view
from kiosk.forecast import NO_FORECAST, ForecastLine
from kiosk.i18n import Translator, pick_block
from kiosk.situation import Condition, Situation
from localstate import NoticeView, Snapshot

Rgba = tuple[float, float, float, float]

STATE_BAND = "#5A5A5A"  # no reading / fault / stale: grey, never a level colour


def rgba(hex_colour: str, alpha: float = 1.0) -> Rgba:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)


@dataclass(frozen=True, slots=True)
class HomeView:
    lang: str
    station_name: str
    clock_text: str
    background: Rgba
    foreground: Rgba
    band_colour: Rgba
    band_text_colour: Rgba
    icon_rank: int  # 1–5 segments of the thermometer icon; 0: no level
    level_word: str
    guidance: str
    wbgt_label: str
    wbgt_text: str
    details_text: str  # temperature, humidity, when measured
    offline_text: str
    takeover: bool
    takeover_headline: str
    takeover_guidance: str
    alert_text: str  # empty: no alert; the headline, in the screen's language
    alert_detail: str  # the ward's message, wholly in alert_lang
    alert_colour: Rgba
    alert_lang: str  # the message's language: the screen's, or its fallback
    water_title: str
    water_advice: str
    trend_title: str
    notice_title: str
    notice_body: str
    notice_position: str
    notice_urgent: bool
    notice_lang: str  # title and body are in this language
    notice_picture: bool  # the picture is shown (then no body); else its text alternative
    large_text_label: str
    large_text_on_label: str
    admin_pin_label: str
    admin_cancel_label: str
    trend_band_names: tuple[str, ...]  # level words, lowest level first
    disaster: DisasterView = field(default_factory=DisasterView)  # shown: above everything
    # The official forecast (kiosk.forecast): empty text when there is none for today.
    forecast_text: str = ""
    forecast_source: str = ""
    forecast_lang: str = "ja"
    # The alert's forecast line, in the screen's language, with the headline.
    alert_forecast: str = ""
    # The message's language named in itself ("English") when it is not the screen's.
    alert_lang_tag: str = ""
    alert_read_label: str = ""  # opens the whole message when the band has no room for it
    close_label: str = ""


# Dates and decimals come from the catalogs, not from CLDR locale data: the screen needs a
# handful of formats, and six loaded locales would cost several MB on a small Pi.
def _number(value: float | None, lang: str, tr: Translator) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", tr.text(lang, "number.decimal_sep") or ".")


def clock_text(now_ms: int, lang: str, tr: Translator) -> str:
    """Date and time in JST, e.g. 7月26日(日) 11:20, Wed 12 Feb 11:20."""
    moment = datetime.fromtimestamp(now_ms / 1000, JST)
    weekdays = tr.text(lang, "date.weekdays").split(",")
    weekday = weekdays[moment.weekday()] if len(weekdays) == 7 else ""
    months = tr.text(lang, "date.months").split(",")
    month_name = months[moment.month - 1] if len(months) == 12 else str(moment.month)
    day = tr.text(
        lang,
        "date.format",
        month=moment.month,
        month_name=month_name,
        day=moment.day,
        weekday=weekday,
    )
    return f"{day} {moment:%H:%M}"


def station_names(snapshot: Snapshot | None) -> dict[str, str]:
    """The station's name in every language the local state has."""
    if snapshot is None:
        return {}
    names = dict(snapshot.names)
    names.setdefault("ja", snapshot.name_ja)
    names.setdefault("en", snapshot.name_en)
    return {code: name for code, name in names.items() if name}


def station_name(names: dict[str, str], lang: str) -> str:
    """The name in the screen's language, by the contract's fallback order."""
    picked = pick(names, lang)
    return picked[1] if picked else ""


def build_view(
    situation: Situation,
    lang: str,
    tr: Translator,
    now_ms: int,
    names: dict[str, str],
    notice: tuple[NoticeView, int, int] | None,  # (notice, index, count)
    high_contrast: bool = False,
    official: ForecastLine = NO_FORECAST,
    picture: bool = False,  # the notice's picture can be shown
) -> HomeView:
    def t(key: str, **values: object) -> str:
        return tr.text(lang, key, **values)

    level = situation.level
    condition = situation.condition
    if condition is Condition.READING and level is not None:
        info = level.info
        band, band_text = info.colour, info.text_colour
        word, guidance = t(f"level.{level.value}.name"), t(f"level.{level.value}.guidance")
        rank = level.rank + 1
    else:
        band, band_text, rank = STATE_BAND, "#FFFFFF", 0
        word, guidance = {
            Condition.NO_READING: (t("state.no_reading"), t("state.no_reading_detail")),
            Condition.FAULT: (t("state.fault"), t("state.fault_detail")),
            Condition.STALE: (
                t("state.stale"),
                t(
                    "state.stale_detail",
                    minutes=int((situation.age_s or 0) // 60),
                    value=_number(situation.wbgt, lang, tr),
                ),
            ),
            Condition.READING: (t("state.no_reading"), t("state.no_reading_detail")),
        }[condition]
    fresh = condition is Condition.READING
    details: list[str] = []
    if fresh and situation.temp_c is not None:
        details.append(t("home.temp", value=_number(situation.temp_c, lang, tr)))
    if fresh and situation.rh is not None:
        details.append(t("home.rh", value=f"{situation.rh:.0f}"))
    if fresh and situation.reading_ts is not None:
        moment = datetime.fromtimestamp(situation.reading_ts / 1000, JST)
        details.append(t("home.updated", time=f"{moment:%H:%M}"))

    disaster = disaster_view(situation.emergencies, lang, tr)
    takeover = situation.takeover and not disaster.shown
    alert = None if disaster.shown else situation.alert
    alert_text = alert_detail = alert_forecast = alert_tag = ""
    alert_colour = rgba("#000000")
    alert_lang = lang
    if alert is not None:
        kind = AlertKind(alert.alert)
        # Two blocks, each in one language: the headline and the forecast are the kiosk's own
        # words, in the screen's language; the ward's message is in the first of the
        # screen's fallbacks it has, named when that is not the screen's language (a
        # Vietnamese screen: a Vietnamese headline, then "English" and the English message).
        alert_lang, (from_ward,) = pick_block([alert.message], lang)
        if not from_ward:
            alert_lang = lang
        alert_text = t(f"alert.{kind.value}")
        if alert.forecast_wbgt is not None:
            alert_forecast = t("alert.forecast", value=_number(alert.forecast_wbgt, lang, tr))
        alert_detail = from_ward or t("alert.guidance")
        if alert_lang != lang:
            alert_tag = tr.text(alert_lang, "lang.self")
        alert_colour = rgba(ALERT_COLOURS[kind])

    n_lang = lang
    if notice is None:
        n_title, n_body, n_pos, urgent = "", "", "", False  # no empty card: the level grows
    else:
        shown, index, count = notice
        alt = shown.image.alt if shown.image is not None else {}
        n_lang, (n_title, n_body, n_alt) = pick_block([shown.title, shown.body, alt], lang)
        if shown.image is not None:  # the picture, or where it cannot be, what it shows
            n_body = "" if picture else n_alt
        n_pos = t("notice.position", index=index + 1, count=count)
        urgent = shown.priority == "urgent"

    return HomeView(
        lang=lang,
        station_name=station_name(names, lang),
        clock_text=clock_text(now_ms, lang, tr),
        background=rgba(band) if takeover else rgba("#000000" if high_contrast else "#F4F4F0"),
        foreground=rgba(band_text) if takeover else rgba("#FFFFFF" if high_contrast else "#141414"),
        band_colour=rgba(band),
        band_text_colour=rgba(band_text),
        icon_rank=rank,
        level_word=word,
        guidance=guidance,
        wbgt_label=t("home.wbgt_label"),
        wbgt_text=_number(situation.wbgt, lang, tr) if fresh else "—",
        details_text="   ".join(details),
        offline_text=t("state.offline") if situation.offline else "",
        takeover=takeover,
        takeover_headline=t("danger.headline"),
        takeover_guidance=t("danger.guidance"),
        alert_text=alert_text,
        alert_detail=alert_detail,
        alert_colour=alert_colour,
        alert_lang=alert_lang,
        water_title=t("app.water_station"),
        water_advice=t("app.water_advice"),
        trend_title=t("trend.title"),
        notice_title=n_title,
        notice_body=n_body,
        notice_position=n_pos,
        notice_urgent=urgent,
        notice_lang=n_lang,
        notice_picture=picture and notice is not None and notice[0].image is not None,
        large_text_label=t("access.large_text"),
        large_text_on_label=t("access.large_text_on"),
        admin_pin_label=t("admin.pin"),
        admin_cancel_label=t("admin.cancel"),
        trend_band_names=tuple(t(f"level.{lv.value}.name") for lv in ordered_levels()),
        disaster=disaster,
        forecast_text=official.text,
        forecast_source=official.source,
        forecast_lang=official.source_lang,
        alert_forecast=alert_forecast,
        alert_lang_tag=alert_tag,
        alert_read_label=t("alert.read"),
        close_label=t("panel.close"),
    )
