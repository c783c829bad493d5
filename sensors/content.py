"""Signed content coming in: verify, refuse what must be refused (and count why), remember
the newest version of each item so a replay cannot roll it back.
"""

import json
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from contract.content import (
    CONTENT_MODELS,
    AlertKind,
    AnyContent,
    Emergency,
    HeatAlert,
    Notice,
    PlaceList,
    emergency_id,
)
from contract.errors import ContractError
from contract.forecast import OfficialForecast
from contract.places import places_id
from contract.signing import key_id, load_public_key, verify
from contract.topics import ContentKind, ParsedTopic, Scope
from localstate import (
    AlertView,
    EmergencyView,
    ForecastView,
    ImageView,
    NoticeView,
    PlaceListView,
    ShelterView,
)

log = logging.getLogger("kyusui.agent.content")
_PEM_BLOCK = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)


def load_trusted_keys(path: Path | None) -> dict[str, Ed25519PublicKey]:
    """Every Ed25519 public key in a PEM file (several allow a key rollover), by key id.

    A missing or unreadable file means no key: all content is then refused, and counted.
    """
    if path is None:
        log.warning("no content_keys_file is set: every notice, config and alert will be refused")
        return {}
    try:
        blocks = _PEM_BLOCK.findall(path.read_bytes())
        keys = [load_public_key(block) for block in blocks]
    except (OSError, ValueError) as exc:
        log.error("cannot read the content keys in %s (%s): all content will be refused", path, exc)
        return {}
    if not keys:
        log.error("%s holds no public key: all content will be refused", path)
    return {key_id(k): k for k in keys}


class ContentInbox:
    def __init__(
        self,
        conn: sqlite3.Connection,
        trusted: Mapping[str, Ed25519PublicKey],
        now_ms: Callable[[], int],
        area: str | None = None,
    ) -> None:
        self.conn = conn
        self.trusted = trusted
        self.now_ms = now_ms
        self.area = area
        self.rejected: Counter[str] = Counter()

    def _refuse(self, reason: str, topic: str, detail: str) -> None:
        self.rejected[reason] += 1
        log.warning("refused content on %s (%s): %s", topic, reason, detail)

    def known_version(self, kind: ContentKind, content_id: str) -> int | None:
        row = self.conn.execute(
            "SELECT version FROM content WHERE kind = ? AND content_id = ?",
            (kind.value, content_id),
        ).fetchone()
        return int(row[0]) if row else None

    def accept(self, where: ParsedTopic, topic: str, raw: bytes) -> AnyContent | None:
        """The content if it is new and valid; None (logged, counted) otherwise."""
        kind = ContentKind(where.kind)
        if not raw:
            return None  # a cleared retained message: nothing to act on
        if not self.trusted:
            self._refuse("no_key", topic, "no trusted content key is installed")
            return None
        expected_id = where.notice_id
        if kind is ContentKind.EMERGENCY:
            # The scope decides the id: an area's disaster mode cannot pose as everyone's.
            expected_id = emergency_id(where.name if where.scope is Scope.AREA else None)
        try:
            content = verify(raw, self.trusted, kind, self.now_ms(), expected_id)
        except ContractError as exc:
            self._refuse(exc.reason, topic, exc.detail)
            return None
        if isinstance(content, Notice) and content.id != where.notice_id:
            self._refuse("topic", topic, f"notice {content.id} sent on the topic of another")
            return None
        if isinstance(content, PlaceList) and content.id != places_id(where.scope, where.name):
            self._refuse("topic", topic, f"place list {content.id} sent on another scope's topic")
            return None
        if isinstance(content, HeatAlert) and content.area and content.area != self.area:
            return None  # another area's alert: not ours to show, not an error
        known = self.known_version(kind, content.id)
        if known is not None and content.version <= known:
            if content.version < known:
                self._refuse(
                    "stale", topic, f"{content.id} v{content.version} is older than v{known}"
                )
            return None  # the same version again (a retained message at reconnect)
        self.conn.execute(
            "INSERT OR REPLACE INTO content VALUES (?, ?, ?, ?, ?)",
            (
                kind.value,
                content.id,
                content.version,
                content.model_dump_json(exclude_none=True),
                self.now_ms(),
            ),
        )
        log.info("accepted %s %s v%d", kind.value, content.id, content.version)
        return content

    def stored(self, kind: ContentKind) -> list[AnyContent]:
        """Everything of ``kind`` accepted so far, oldest version first."""
        rows = self.conn.execute(
            "SELECT payload FROM content WHERE kind = ? ORDER BY received_at", (kind.value,)
        ).fetchall()
        model = CONTENT_MODELS[kind]
        return [model.model_validate(json.loads(r[0])) for r in rows]


def image_view(notice: Notice) -> ImageView | None:
    image = notice.image
    if image is None or notice.withdrawn:
        return None
    return ImageView(
        image.sha256, image.size, image.media_type, image.width, image.height, dict(image.alt)
    )


def notice_view(notice: Notice) -> NoticeView:
    assert notice.title is not None  # only a withdrawal has no title
    return NoticeView(
        notice.id,
        notice.version,
        notice.priority.value,
        dict(notice.title),
        dict(notice.body or {}),
        notice.starts_at,
        notice.ends_at,
        notice.expires_at,
        image_view(notice),
    )


def emergency_view(emergency: Emergency) -> EmergencyView:
    assert emergency.message is not None  # only a withdrawal has no message
    return EmergencyView(
        emergency.id,
        emergency.version,
        emergency.area,
        dict(emergency.message),
        tuple(ShelterView(dict(sh.name), dict(sh.address or {})) for sh in emergency.shelters),
        emergency.issued_at,
        emergency.expires_at,
    )


def alert_view(alert: HeatAlert) -> AlertView | None:
    if alert.alert is AlertKind.NONE:
        return None
    return AlertView(
        alert.alert.value,
        alert.version,
        alert.forecast_wbgt,
        alert.valid_on,
        dict(alert.message or {}),
        alert.expires_at,
    )


def places_view(places: PlaceList) -> PlaceListView:
    return PlaceListView(
        places.id,
        places.version,
        [p.model_dump(mode="json", exclude_none=True) for p in places.places],
        places.expires_at,
    )


def forecast_view(forecast: OfficialForecast) -> ForecastView:
    return ForecastView(
        forecast.version,
        forecast.point,
        forecast.made_at,
        {d.day: d.max_wbgt for d in forecast.days},
        dict(forecast.attribution),
        forecast.expires_at,
    )


def newest_forecast(inbox: ContentInbox) -> ForecastView | None:
    """The forecast last accepted, for a rebuilt local state (it is not sent again)."""
    held = [c for c in inbox.stored(ContentKind.FORECAST) if isinstance(c, OfficialForecast)]
    if not held:
        return None
    newest = max(held, key=lambda c: c.version)
    if newest.expires_at is not None and newest.expires_at <= inbox.now_ms():
        return None
    return forecast_view(newest)
