"""Who may see a console page: signed in to see anything, staff to change something."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from server.api.deps import ConsolePrincipal
from server.registry.models import Role
from server.registry.tokens import Principal


class SignInNeededError(Exception):
    """Nobody is signed in: the page sends the browser to /login and back afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def signed_in(request: Request, principal: ConsolePrincipal) -> Principal:
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeededError(target)
    request.state.console_principal = principal  # for an error page's header
    return principal


def require_role(principal: Principal, role: Role) -> None:
    """A write a page does not offer this principal is refused all the same."""
    if not principal.may(role):
        raise HTTPException(
            403, f"この操作には {role.value} 権限が必要です / this needs the {role.value} role"
        )


def may_write(principal: Principal | None) -> bool:
    return principal is not None and principal.may(Role.STAFF)


PagePrincipal = Annotated[Principal, Depends(signed_in)]


def safe_next(value: str | None) -> str:
    """Only a path on this site: never ``//host`` or ``https://…`` (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
