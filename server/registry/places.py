"""Places in the registry, and the signed list each scope's stations receive."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.content import PlaceList
from contract.places import Place, places_id
from contract.topics import Scope, places_topic
from server.registry.models import PlaceListRow, PlaceRow
from server.registry.notices import next_version


def scope_parts(key: str) -> tuple[Scope, str | None]:
    """``all`` / ``area:{id}`` / ``st:{id}`` (as notices keep it) as the contract's scope."""
    if key == "all":
        return Scope.ALL, None
    prefix, _, name = key.partition(":")
    return (Scope.AREA if prefix == "area" else Scope.STATION), name


def topic_for(key: str) -> str:
    return places_topic(*scope_parts(key))


def as_place(row: PlaceRow) -> Place:
    return Place.model_validate(
        {
            "id": row.id,
            "kind": row.kind,
            "name": row.name,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "address": row.address,
            "hours": row.hours,
            "offers": row.offers,
        }
    )


def list_places(session: Session, scope: str | None = None) -> list[PlaceRow]:
    query = select(PlaceRow).order_by(PlaceRow.scope, PlaceRow.id)
    if scope is not None:
        query = query.where(PlaceRow.scope == scope)
    return list(session.scalars(query))


def next_list(session: Session, key: str, stamp: int) -> PlaceList:
    """The scope's whole list at a new version (kept in ``place_lists``, locked for the
    transaction), for the caller to publish before it commits."""
    held = session.get(PlaceListRow, key, with_for_update=True)
    version = next_version(held.version if held else None, stamp)
    if held is None:
        session.add(PlaceListRow(scope=key, version=version, published_at=stamp))
    else:
        held.version, held.published_at = version, stamp
    return PlaceList(
        id=places_id(*scope_parts(key)),
        version=version,
        issued_at=stamp,
        places=[as_place(row) for row in list_places(session, key)],
    )
