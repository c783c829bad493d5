"""The notice editor's form: its fields as typed, checked with messages for each field.

The checks here catch what staff commonly get wrong, with a message in the reader's
language next to the field; the notice API's own checks (what a station would refuse)
still run when the notice is published, and their 422s are mapped to fields the same way.
Times are typed in JST (``datetime-local``: ``2026-07-26T09:00``).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from pydantic import ValidationError

from contract.content import NoticePriority
from contract.jst import JST
from contract.languages import KIOSK_LANGS
from server.api.notice_schemas import NoticeIn, NoticeUpdate, Target, TargetScope
from server.registry.models import Notice as NoticeRow

M = TypeVar("M", NoticeIn, NoticeUpdate)
MAX_TEXT = 2000  # the contract's limit for one language's text
TIME_FIELDS = ("starts_at", "ends_at", "expires_at")
TIME_FORMAT = "%Y-%m-%dT%H:%M"


def field_of(where: str) -> str:
    """The form field an API location names: ``title.ja`` → ``title_ja``; ``target.id`` →
    ``target``; anything else the form has no field for → ``form``."""
    parts = where.split(".")
    if parts[0] in ("title", "body") and len(parts) > 1 and parts[1] in KIOSK_LANGS:
        return f"{parts[0]}_{parts[1]}"
    if parts[0] in ("title", "body"):
        return f"{parts[0]}_ja"
    if parts[0] in (*TIME_FIELDS, "priority", "target"):
        return parts[0]
    return "form"


def time_text(ms: int | None) -> str:
    """Epoch ms as a ``datetime-local`` value in JST."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, JST).strftime(TIME_FORMAT)


@dataclass
class NoticeForm:
    """What the editor shows and sends; every value a string as typed."""

    title: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] = field(default_factory=dict)
    priority: str = NoticePriority.NORMAL.value
    scope: str = TargetScope.ALL.value
    area: str = ""
    station: str = ""
    starts_at: str = ""
    ends_at: str = ""
    expires_at: str = ""
    # field name → message key (translated by the template) or an API message as it came
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> "NoticeForm":
        def get(name: str) -> str:
            value = form.get(name, "")
            return value if isinstance(value, str) else ""

        return cls(
            title={lang: get(f"title_{lang}").strip() for lang in KIOSK_LANGS},
            body={lang: get(f"body_{lang}").strip() for lang in KIOSK_LANGS},
            priority=get("priority") or NoticePriority.NORMAL.value,
            scope=get("target_scope") or TargetScope.ALL.value,
            area=get("target_area").strip(),
            station=get("target_station").strip(),
            starts_at=get("starts_at").strip(),
            ends_at=get("ends_at").strip(),
            expires_at=get("expires_at").strip(),
        )

    @classmethod
    def of(cls, row: NoticeRow) -> "NoticeForm":
        target = Target.of(row.scope)
        return cls(
            title={lang: row.title.get(lang, "") for lang in KIOSK_LANGS},
            body={lang: (row.body or {}).get(lang, "") for lang in KIOSK_LANGS},
            priority=row.priority,
            scope=target.scope.value,
            area=(target.id or "") if target.scope is TargetScope.AREA else "",
            station=(target.id or "") if target.scope is TargetScope.STATION else "",
            starts_at=time_text(row.starts_at),
            ends_at=time_text(row.ends_at),
            expires_at=time_text(row.expires_at),
        )

    def texts(self, which: dict[str, str]) -> dict[str, str]:
        """The languages that have text, in the language bar's order."""
        return {lang: which[lang] for lang in KIOSK_LANGS if which.get(lang)}

    def _time(self, name: str) -> datetime | None:
        value: str = getattr(self, name)
        if not value:
            return None
        try:
            return datetime.fromisoformat(value).replace(tzinfo=JST)
        except ValueError:
            self.errors[name] = "notices.error.bad_time"
            return None

    def _check(self, now_ms: int) -> dict[str, object]:
        """The fields as the API takes them; problems go to ``errors``."""
        title, body = self.texts(self.title), self.texts(self.body)
        if not title.get("ja"):
            self.errors["title_ja"] = "notices.error.title_ja_required"
        if body and not body.get("ja"):
            self.errors["body_ja"] = "notices.error.body_ja_required"
        for kind, texts in (("title", title), ("body", body)):
            for lang, text in texts.items():
                if len(text) > MAX_TEXT:
                    self.errors[f"{kind}_{lang}"] = "notices.error.too_long"
        if self.priority not in {p.value for p in NoticePriority}:
            self.errors["priority"] = "notices.error.priority"
        starts, ends, expires = (self._time(name) for name in TIME_FIELDS)
        if starts and ends and ends <= starts:
            self.errors["ends_at"] = "notices.error.end_before_start"
        if expires and expires.timestamp() * 1000 <= now_ms:
            self.errors["expires_at"] = "notices.error.expiry_past"
        return {
            "title": title,
            "body": body or None,
            "priority": self.priority,
            "starts_at": starts,
            "ends_at": ends,
            "expires_at": expires,
        }

    def _target(self) -> dict[str, str | None]:
        if self.scope == TargetScope.AREA.value:
            chosen = self.area
        elif self.scope == TargetScope.STATION.value:
            chosen = self.station
        else:
            return {"scope": TargetScope.ALL.value, "id": None}
        if not chosen:
            self.errors["target"] = "notices.error.target_needed"
        return {"scope": self.scope, "id": chosen or None}

    def _validated(self, model: type[M], values: dict[str, object]) -> M | None:
        try:
            return model.model_validate(values)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                self.errors.setdefault(field_of(where), f"{where}: {error['msg']}")
            return None

    def new_notice(self, now_ms: int) -> NoticeIn | None:
        """The notice to create, or None with ``errors`` saying why not."""
        values = self._check(now_ms) | {"target": self._target()}
        if self.errors:
            return None
        return self._validated(NoticeIn, values)

    def update(self, now_ms: int) -> NoticeUpdate | None:
        """The notice's new text and schedule (its target stays), or None with ``errors``."""
        values = self._check(now_ms)
        if self.errors:
            return None
        return self._validated(NoticeUpdate, values)
