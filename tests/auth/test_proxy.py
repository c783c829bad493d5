"""Behind the ward's reverse proxy: the Secure flag and the client address in the audit log
follow X-Forwarded-* only when the proxy is trusted."""

import pytest
from pydantic import ValidationError
from starlette.requests import Request

from server.auth.cookies import cookie_secure
from server.auth.proxy import client_address
from server.settings import CookieSecure, ServerSettings

PROXIED = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9, 10.1.2.3"}


def request(peer: str, headers: dict[str, str], scheme: str = "http") -> Request:
    return Request(
        {
            "type": "http",
            "method": "POST",
            "scheme": scheme,
            "path": "/api/v1/session",
            "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            "client": (peer, 50000),
            "server": ("127.0.0.1", 8000),
        }
    )


def test_a_trusted_proxy_says_tls_and_who_the_client_is() -> None:
    settings = ServerSettings(trusted_proxies="127.0.0.1, 10.0.0.0/8")
    via_proxy = request("127.0.0.1", PROXIED)
    assert cookie_secure(via_proxy, settings)
    assert client_address(via_proxy, settings) == "203.0.113.9"


def test_an_untrusted_peer_cannot_claim_tls_or_another_address() -> None:
    settings = ServerSettings()
    direct = request("198.51.100.7", PROXIED)
    assert not cookie_secure(direct, settings)
    assert client_address(direct, settings) == "198.51.100.7"
    assert cookie_secure(request("198.51.100.7", {}, scheme="https"), settings)


def test_the_secure_flag_can_be_forced_either_way() -> None:
    plain = request("127.0.0.1", {})
    assert cookie_secure(plain, ServerSettings(console_cookie_secure=CookieSecure.ALWAYS))
    never = ServerSettings(console_cookie_secure=CookieSecure.NEVER)
    assert not cookie_secure(request("127.0.0.1", PROXIED), never)


def test_production_refuses_cookies_that_are_never_secure() -> None:
    with pytest.raises(ValidationError, match="console_cookie_secure"):
        ServerSettings(
            production=True,
            broker_password="a-real-broker-password",
            console_cookie_secure=CookieSecure.NEVER,
        )
