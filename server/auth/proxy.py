"""What a request says about its client, believing ``X-Forwarded-*`` only from trusted proxies."""

from ipaddress import ip_address

from starlette.requests import Request

from server.settings import ServerSettings


def _trusted(host: str | None, settings: ServerSettings) -> bool:
    if not host:
        return False
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in settings.trusted_proxies)


def client_address(request: Request, settings: ServerSettings) -> str:
    """The client's address: the peer, or the nearest untrusted hop in ``X-Forwarded-For``
    when the peer is a trusted proxy."""
    peer = request.client.host if request.client else ""
    if not _trusted(peer, settings):
        return peer or "unknown"
    forwarded = request.headers.get("x-forwarded-for", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, settings):
            return hop[:64]
    return hops[0][:64] if hops else peer


def arrived_over_tls(request: Request, settings: ServerSettings) -> bool:
    """True for https directly, or when a trusted proxy says ``X-Forwarded-Proto: https``."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else None
    if not _trusted(peer, settings):
        return False
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return proto == "https"
