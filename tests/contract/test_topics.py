"""Topic names: what the builders make, the parser reads back, and nothing else."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract import TOPIC_PREFIX, ContractError
from contract.topics import (
    IMAGE,
    ContentKind,
    Scope,
    StationTopic,
    alert_topic,
    check_id,
    command_topic,
    config_topic,
    emergency_topic,
    forecast_topic,
    ingest_subscriptions,
    notice_image_topic,
    notice_topic,
    parse_topic,
    places_topic,
    station_subscriptions,
    station_topic,
    stored_topic,
)
from tests.contract.outcome import outcome
from tests.contract.strategies import ids


def test_the_topic_tree_is_the_documented_one() -> None:
    assert TOPIC_PREFIX == "kyusui/v1"
    assert station_topic("naka-01", StationTopic.TELEMETRY) == "kyusui/v1/st/naka-01/telemetry"
    assert station_topic("naka-01", StationTopic.CMD_RESULT) == "kyusui/v1/st/naka-01/cmd/result"
    assert command_topic("naka-01") == "kyusui/v1/st/naka-01/cmd"
    assert notice_topic(Scope.AREA, "naka", "heat") == "kyusui/v1/area/naka/notices/heat"
    assert notice_topic(Scope.ALL, None, "heat") == "kyusui/v1/all/notices/heat"
    assert config_topic(Scope.STATION, "naka-01") == "kyusui/v1/st/naka-01/config"
    assert config_topic(Scope.ALL, None) == "kyusui/v1/all/config"
    assert alert_topic() == "kyusui/v1/all/alert"
    assert emergency_topic(None) == "kyusui/v1/all/emergency"
    assert emergency_topic("naka") == "kyusui/v1/area/naka/emergency"
    assert notice_image_topic(Scope.ALL, None, "heat") == "kyusui/v1/all/notices/heat/image"
    assert forecast_topic() == "kyusui/v1/all/forecast"


@settings(max_examples=200)
@given(station=ids, kind=st.sampled_from(StationTopic))
def test_station_topics_parse_back_to_station_and_kind(station: str, kind: StationTopic) -> None:
    parsed = parse_topic(station_topic(station, kind))
    assert parsed.scope is Scope.STATION
    assert parsed.station_id == station
    assert parsed.kind == kind.value


@settings(max_examples=200)
@given(station=ids)
def test_command_topics_parse_back(station: str) -> None:
    parsed = parse_topic(command_topic(station))
    assert (parsed.station_id, parsed.kind) == (station, "cmd")


@settings(max_examples=200)
@given(station=ids)
def test_stored_topics_parse_back(station: str) -> None:
    assert stored_topic(station) == f"kyusui/v1/st/{station}/stored"
    parsed = parse_topic(stored_topic(station))
    assert (parsed.station_id, parsed.kind) == (station, "stored")


@settings(max_examples=200)
@given(scope=st.sampled_from(Scope), name=ids, notice_id=ids)
def test_notice_topics_parse_back(scope: Scope, name: str, notice_id: str) -> None:
    target = None if scope is Scope.ALL else name
    parsed = parse_topic(notice_topic(scope, target, notice_id))
    assert (parsed.scope, parsed.name) == (scope, target)
    assert (parsed.kind, parsed.notice_id) == (ContentKind.NOTICE.value, notice_id)
    assert parsed.station_id == (name if scope is Scope.STATION else None)


@settings(max_examples=200)
@given(scope=st.sampled_from([Scope.STATION, Scope.ALL]), name=ids)
def test_config_topics_parse_back(scope: Scope, name: str) -> None:
    target = None if scope is Scope.ALL else name
    parsed = parse_topic(config_topic(scope, target))
    assert (parsed.scope, parsed.name, parsed.kind) == (scope, target, "config")


@settings(max_examples=100)
@given(area=ids)
def test_emergency_topics_parse_back(area: str) -> None:
    parsed = parse_topic(emergency_topic(area))
    assert (parsed.scope, parsed.name, parsed.kind) == (Scope.AREA, area, "emergency")
    everyone = parse_topic(emergency_topic(None))
    assert (everyone.scope, everyone.name, everyone.kind) == (Scope.ALL, None, "emergency")


@settings(max_examples=100)
@given(scope=st.sampled_from(Scope), name=ids, notice_id=ids)
def test_notice_picture_topics_parse_back(scope: Scope, name: str, notice_id: str) -> None:
    target = None if scope is Scope.ALL else name
    parsed = parse_topic(notice_image_topic(scope, target, notice_id))
    assert (parsed.scope, parsed.name, parsed.kind) == (scope, target, IMAGE)
    assert parsed.notice_id == notice_id


def test_the_alert_topic_parses_back() -> None:
    parsed = parse_topic(alert_topic())
    assert (parsed.scope, parsed.name, parsed.kind) == (Scope.ALL, None, "alert")


def test_the_forecast_topic_parses_back() -> None:
    parsed = parse_topic(forecast_topic())
    assert (parsed.scope, parsed.name, parsed.kind) == (Scope.ALL, None, ContentKind.FORECAST)


@settings(max_examples=200)
@given(st.text(max_size=80))
def test_arbitrary_text_parses_or_is_refused_as_topic_or_id(topic: str) -> None:
    _, reason = outcome(parse_topic, topic)
    assert reason in {None, "topic", "id"}


segments = st.sampled_from(
    [
        "kyusui",
        "v1",
        "st",
        "area",
        "all",
        "naka-01",
        "notices",
        "config",
        "alert",
        "cmd",
        "result",
        "telemetry",
        "health",
        "status",
        "receipts",
        "",
        "+",
        "#",
        "NAKA",
        "a b",
    ]
)


@settings(max_examples=200)
@given(st.lists(segments, max_size=7))
def test_topic_like_text_parses_or_is_refused(parts: list[str]) -> None:
    topic = "/".join(parts)
    parsed, reason = outcome(parse_topic, topic)
    assert reason in {None, "topic", "id"}
    if parsed is not None:
        assert topic.startswith("kyusui/v1/")


@pytest.mark.parametrize(
    "topic",
    [
        "kyusui/v2/st/naka-01/telemetry",
        "kyusui/v1/st/naka-01/sauna",
        "kyusui/v1/st/naka-01",
        "kyusui/v1/area/naka/telemetry",  # areas do not publish
        "kyusui/v1/area/naka/config",  # config goes to one station or all
        "kyusui/v1/all/telemetry",
        "kyusui/v1/st/+/telemetry",
        "kyusui/v1/st/naka-01/notices/a/b",
        "kyusui/v1/st/naka-01/emergency",  # disaster mode is for an area or everyone
        "$share/ingest/kyusui/v1/st/naka-01/telemetry",
        "kyusui/v1/moon/naka/config",
    ],
)
def test_topics_outside_the_contract_are_refused(topic: str) -> None:
    with pytest.raises(ContractError):
        parse_topic(topic)


@pytest.mark.parametrize(
    "bad",
    ["", "Naka-01", "naka_01", "-naka", "naka-", "naka 01", "naka-01\n", "なか", "a" * 65, "a/b"],
)
def test_ids_outside_lowercase_letters_digits_and_hyphens_are_refused(bad: str) -> None:
    with pytest.raises(ContractError) as caught:
        check_id(bad)
    assert caught.value.reason == "id"
    with pytest.raises(ContractError):
        station_topic(bad, StationTopic.TELEMETRY)


@pytest.mark.parametrize("good", ["a", "0", "naka-01", "yokohama-kohoku-01", "a" * 64])
def test_good_ids_are_accepted(good: str) -> None:
    assert check_id(good) == good


def test_config_cannot_be_sent_to_an_area() -> None:
    with pytest.raises(ContractError) as caught:
        config_topic(Scope.AREA, "naka")
    assert caught.value.reason == "topic"


def test_a_scoped_topic_needs_its_name() -> None:
    with pytest.raises(ContractError):
        notice_topic(Scope.STATION, None, "heat")


def test_a_station_subscribes_to_its_own_its_areas_and_everyones_content() -> None:
    topics = station_subscriptions("naka-01", "naka")
    assert set(topics) == {
        "kyusui/v1/st/naka-01/notices/+",
        "kyusui/v1/st/naka-01/config",
        "kyusui/v1/st/naka-01/cmd",
        "kyusui/v1/st/naka-01/stored",
        "kyusui/v1/all/notices/+",
        "kyusui/v1/all/config",
        "kyusui/v1/all/alert",
        "kyusui/v1/all/forecast",
        "kyusui/v1/area/naka/notices/+",
        "kyusui/v1/st/naka-01/places",
        "kyusui/v1/all/places",
        "kyusui/v1/area/naka/places",
        "kyusui/v1/st/naka-01/notices/+/image",
        "kyusui/v1/all/notices/+/image",
        "kyusui/v1/area/naka/notices/+/image",
        "kyusui/v1/all/emergency",
        "kyusui/v1/area/naka/emergency",
    }
    assert not any("area" in t for t in station_subscriptions("naka-01", None))


def test_ingest_shares_one_subscription_per_uplink_topic() -> None:
    assert ingest_subscriptions("ingest") == [
        f"$share/ingest/kyusui/v1/st/+/{kind}"
        for kind in ("telemetry", "health", "status", "receipts", "cmd/result")
    ]


@pytest.mark.parametrize(
    ("scope", "name", "topic"),
    [
        (Scope.ALL, None, "kyusui/v1/all/places"),
        (Scope.AREA, "naka", "kyusui/v1/area/naka/places"),
        (Scope.STATION, "naka-01", "kyusui/v1/st/naka-01/places"),
    ],
)
def test_place_lists_go_to_every_scope_and_parse_back(
    scope: Scope, name: str | None, topic: str
) -> None:
    assert places_topic(scope, name) == topic
    parsed = parse_topic(topic)
    assert (parsed.scope, parsed.name, parsed.kind) == (scope, name, "places")
