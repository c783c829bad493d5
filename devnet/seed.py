"""What the demo's staff would have entered: the stations' names and positions, the areas,
and a few places to cool down in Naka ward (devnet.places), through the API."""

from typing import Any

import httpx

from devnet.network import StationNetwork
from devnet.places import NAKA_PLACES, STATION_SITES

AREAS = {"naka": "中区", "kohoku": "港北区"}


def seed_demo(network: StationNetwork) -> None:
    """Enrol the demo's stations and add its places; what exists already is left as it is."""
    with httpx.Client(
        base_url=network.api_url,
        headers={"Authorization": f"Bearer {network.api_token}"},
        timeout=30,
    ) as api:
        for area, name in AREAS.items():
            _ok(api.put(f"/api/v1/areas/{area}", json={"id": area, "name_ja": name}))
        for spec in network.stations:
            station: dict[str, Any] = {
                "name_ja": spec.name_ja,
                "name_en": spec.name_en or None,
                "area": spec.area,
            }
            if spec.id in STATION_SITES:
                latitude, longitude, address = STATION_SITES[spec.id]
                station |= {"latitude": latitude, "longitude": longitude, "address": address}
            answer = api.post("/api/v1/stations", json={"id": spec.id} | station)
            if answer.status_code == 409:
                answer = api.patch(f"/api/v1/stations/{spec.id}", json=station)
            _ok(answer)
        for place in NAKA_PLACES:
            body = place.model_dump(mode="json", exclude_none=True)
            answer = api.post(
                "/api/v1/places", json=body | {"target": {"scope": "area", "id": "naka"}}
            )
            if answer.status_code != 409:
                _ok(answer)


def _ok(answer: httpx.Response) -> None:
    if answer.status_code >= 400:
        raise RuntimeError(f"{answer.request.method} {answer.request.url.path}: {answer.text}")
