"""The registry, through the server's API: register, look up and retire stations."""

from dataclasses import dataclass
from typing import Any

import httpx


class RegistryError(RuntimeError):
    """The API refused a request; the message is the API's own (Japanese / English)."""


@dataclass(frozen=True)
class RegistryClient:
    api_url: str
    token: str
    timeout_s: float = 15.0

    def _request(self, method: str, path: str, body: object = None) -> httpx.Response:
        if not self.token:
            raise RegistryError(
                "API トークンがありません / no API token: give --api-token or set"
                " api_token in /etc/kyusui/provision.toml"
            )
        try:
            return httpx.request(
                method,
                f"{self.api_url.rstrip('/')}/api/v1{path}",
                json=body,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=self.timeout_s,
            )
        except httpx.HTTPError as exc:
            reason = f"API に接続できません / cannot reach {self.api_url}: {exc}"
            raise RegistryError(reason) from exc

    @staticmethod
    def _refused(response: httpx.Response) -> RegistryError:
        try:
            detail = response.json().get("error", {}).get("message") or response.text
        except ValueError:
            detail = response.text
        return RegistryError(f"API {response.status_code}: {detail}")

    def station(self, station_id: str) -> dict[str, Any] | None:
        response = self._request("GET", f"/stations/{station_id}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._refused(response)
        found: dict[str, Any] = response.json()
        return found if found.get("state") != "pending" else None

    def register(self, record: dict[str, object]) -> dict[str, Any]:
        response = self._request("POST", "/stations", record)
        if response.status_code != 201:
            raise self._refused(response)
        created: dict[str, Any] = response.json()
        return created

    def retire(self, station_id: str) -> None:
        response = self._request("DELETE", f"/stations/{station_id}")
        if response.status_code not in (204, 404):
            raise self._refused(response)
