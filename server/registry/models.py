"""Registry tables. Times are UTC epoch milliseconds, like the wire contract."""

from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Exposure(StrEnum):
    INDOOR = "indoor"
    SHADE = "shade"
    SUN = "sun"


class EnrolmentState(StrEnum):
    PENDING = "pending"  # reported before anyone enrolled it
    ACTIVE = "active"
    RETIRED = "retired"


class Role(StrEnum):
    """What a token may do; each role includes the ones below it."""

    ADMIN = "admin"  # staff, tokens and users
    STAFF = "staff"  # stations, alerts, notices
    READER = "reader"  # read-only machine clients

    @property
    def rank(self) -> int:
        return {"reader": 0, "staff": 1, "admin": 2}[self.value]


class Area(Base):
    __tablename__ = "areas"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))


class Station(Base):
    __tablename__ = "stations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=EnrolmentState.PENDING.value)
    name_ja: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    # The name in the kiosk's other languages ({"zh": …, "ko": …}); see contract.languages.
    names: Mapped[dict[str, str] | None] = mapped_column(JSON)
    area_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(400))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    exposure: Mapped[str] = mapped_column(String(16), default=Exposure.SHADE.value)
    installed_at: Mapped[int | None] = mapped_column(BigInteger)
    retired_at: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("stations_by_area", "area_id", "id"),)


class StationLatest(Base):
    """A station's newest reading (by its own session, seq, place), status and health;
    kept by ingest once per batch (server/registry/latest.py)."""

    __tablename__ = "station_latest"
    station_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    changed_ms: Mapped[int] = mapped_column(BigInteger)
    last_seen_ms: Mapped[int | None] = mapped_column(BigInteger)
    online: Mapped[bool | None] = mapped_column(Boolean)
    status_session: Mapped[int | None] = mapped_column(BigInteger)
    reading_session: Mapped[int | None] = mapped_column(BigInteger)
    reading_seq: Mapped[int | None] = mapped_column(BigInteger)
    reading_idx: Mapped[int | None] = mapped_column(Integer)
    ts: Mapped[int | None] = mapped_column(BigInteger)
    temp_c: Mapped[float | None] = mapped_column(Float)
    rh: Mapped[float | None] = mapped_column(Float)
    wbgt: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(16))
    quality: Mapped[str | None] = mapped_column(String(16))
    time_source: Mapped[str | None] = mapped_column(String(16))
    health_ts: Mapped[int | None] = mapped_column(BigInteger)
    clock_synced: Mapped[bool | None] = mapped_column(Boolean)
    sensor_ok: Mapped[bool | None] = mapped_column(Boolean)
    outbox_depth: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index("station_latest_by_change", "changed_ms"),
        Index("station_latest_by_seen", "last_seen_ms"),
        Index("station_latest_by_reading", "ts"),
    )


class Notice(Base):
    """A notice as staff last wrote it; ``version`` is the one stations hold."""

    __tablename__ = "notices"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=1)
    scope: Mapped[str] = mapped_column(String(80), default="all")  # all | area:{id} | st:{id}
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    title: Mapped[dict[str, str]] = mapped_column(JSON)  # {lang: text}, always with "ja"
    body: Mapped[dict[str, str] | None] = mapped_column(JSON)
    starts_at: Mapped[int | None] = mapped_column(BigInteger)
    ends_at: Mapped[int | None] = mapped_column(BigInteger)
    expires_at: Mapped[int | None] = mapped_column(BigInteger)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[int | None] = mapped_column(BigInteger)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    withdrawn_at: Mapped[int | None] = mapped_column(BigInteger)
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)
    disabled_at: Mapped[int | None] = mapped_column(BigInteger)
    # Argon2id (PHC string); None: the user cannot sign in until a password is set.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[int | None] = mapped_column(BigInteger)
    last_sign_in_at: Mapped[int | None] = mapped_column(BigInteger)


class StaffSession(Base):
    """A console sign-in. Only the SHA-256 of the cookie's token is kept."""

    __tablename__ = "staff_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[int] = mapped_column(BigInteger)
    last_seen_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    csrf_secret: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_staff_sessions_user", "user_id"),)


class ApiToken(Base):
    """Only the SHA-256 of a token is kept; the token itself is shown once, at creation."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)


class Alert(Base):
    """One occurrence of a condition; at most one open (uncleared) per station and kind."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(400))
    raised_at: Mapped[int] = mapped_column(BigInteger)
    cleared_at: Mapped[int | None] = mapped_column(BigInteger)
    acknowledged_at: Mapped[int | None] = mapped_column(BigInteger)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (
        Index(
            "one_open_alert",
            "station_id",
            "kind",
            unique=True,
            sqlite_where=text("cleared_at IS NULL"),
            postgresql_where=text("cleared_at IS NULL"),
        ),
    )


class QuarantinedMessage(Base):
    """A message that broke the contract: kept with its reason, never written as data."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    received_at: Mapped[int] = mapped_column(BigInteger, index=True)
    topic: Mapped[str] = mapped_column(String(400))
    station_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(1000))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    payload_size: Mapped[int] = mapped_column(Integer)


class ReceiptRow(Base):
    """What a station's screen showed: one notice version, from when, for how long, in which
    language. A receipt is identified by station, notice, version and ``shown_at``."""

    __tablename__ = "receipts"
    station_id: Mapped[str] = mapped_column(String(64))
    shown_at: Mapped[int] = mapped_column(BigInteger)
    notice_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(BigInteger)
    duration_s: Mapped[float] = mapped_column(Float)
    lang: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        PrimaryKeyConstraint("station_id", "shown_at", "notice_id", "version", name="receipts_pk"),
        Index("ix_receipts_notice", "notice_id", "shown_at"),
    )


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[int] = mapped_column(BigInteger, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_audit_log_action_target", "action", "target", "at"),)


class OfficialFile(Base):
    """The newest word on one of the Ministry's files: the last good copy, and the last
    refused one with its reason, kept for a person to inspect."""

    __tablename__ = "official_files"
    path: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # ok | missing | refused | unreachable
    checked_at: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    good_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    good_at: Mapped[int | None] = mapped_column(BigInteger)
    refused_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    refused_at: Mapped[int | None] = mapped_column(BigInteger)


class OfficialAlertDay(Base):
    """The heat alert stations were given for one JST day, and whether staff decided it."""

    __tablename__ = "official_alert_days"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, JST
    alert: Mapped[str] = mapped_column(String(32))
    by_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    flag: Mapped[int | None] = mapped_column(Integer)
    reported_at: Mapped[int | None] = mapped_column(BigInteger)
    applied_at: Mapped[int] = mapped_column(BigInteger)


class Emergency(Base):
    """Disaster mode (避難所開設情報) as last published, one row per scope: ``area`` NULL
    for every station. ``id`` is contract.content.emergency_id of the scope, which is
    also the notice id of its receipts; ``version`` is the one stations hold."""

    __tablename__ = "emergencies"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    area: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(BigInteger)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[dict[str, str]] = mapped_column(JSON)  # {lang: text}, every kiosk language
    shelters: Mapped[list[dict[str, dict[str, str]]]] = mapped_column(JSON)  # [{name, address}]
    updated_at: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str | None] = mapped_column(String(200))


class NoticeImage(Base):
    """A notice's picture as stations receive it: re-encoded, its metadata gone."""

    __tablename__ = "notice_images"
    notice_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt: Mapped[dict[str, str]] = mapped_column(JSON)  # {lang: text}, always with "ja"
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[str | None] = mapped_column(String(200))


class PlaceRow(Base):
    """A place to cool down, as staff last wrote it (contract.places.Place), in one scope."""

    __tablename__ = "places"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(80), index=True)  # all | area:{id} | st:{id}
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[dict[str, str]] = mapped_column(JSON)  # {lang: name}, every kiosk language
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(200))
    hours: Mapped[dict[str, object]] = mapped_column(JSON)  # contract.places.Hours
    offers: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(200))


class PlaceListRow(Base):
    """The version of each scope's place list last published to the stations."""

    __tablename__ = "place_lists"
    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    published_at: Mapped[int] = mapped_column(BigInteger)
