"""``kyusui-api user …``: the staff users in the registry, from a shell on the server."""

import argparse
import sys
from typing import TextIO

from server.api.cli import EXIT_ERROR, EXIT_EXISTS, EXIT_UNKNOWN
from server.api.schemas import jst
from server.auth.passwords import WeakPasswordError, generate_password
from server.registry import users
from server.registry.db import Registry, now_ms
from server.registry.models import Role, User
from server.settings import ServerSettings


def _when(ms: int | None) -> str:
    return "-" if ms is None else jst(ms).strftime("%Y-%m-%d %H:%M JST")


def _state(user: User) -> str:
    if user.disabled_at is not None:
        return "disabled"
    if user.locked_until is not None and user.locked_until > now_ms():
        return "locked"
    return "active" if user.password_hash else "no-password"


def read_password(stdin: TextIO) -> str:
    """The first line of ``stdin``, without its line ending (``echo pw | kyusui-api …``)."""
    line = stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")


def _password(args: argparse.Namespace, stdin: TextIO) -> tuple[str, bool]:
    """The password to set and whether it was generated (and so must be printed)."""
    if args.password_stdin:
        return read_password(stdin), False
    return generate_password(), True


def _list(registry: Registry) -> int:
    with registry.session() as session:
        rows = users.list_users(session)
        print(f"{'login':<30} {'role':<7} {'state':<12} {'last sign-in':<21} name")
        for u in rows:
            when = _when(u.last_sign_in_at)
            print(f"{u.login:<30} {u.role:<7} {_state(u):<12} {when:<21} {u.display_name}")
    return 0


def _change(args: argparse.Namespace, registry: Registry, stdin: TextIO, actor: str) -> int:
    with registry.session() as session:
        if args.user_command == "add":
            password, generated = _password(args, stdin)
            user = users.create(
                session,
                args.login,
                args.name or args.login,
                Role(args.role),
                actor=actor,
                password=password,
            )
            print(f"added {user.login} ({user.role})")
        else:
            found = users.find(session, args.login)
            if found is None:
                print(f"kyusui-api: no user {args.login!r}", file=sys.stderr)
                return EXIT_UNKNOWN
            generated = False
            if args.user_command == "passwd":
                password, generated = _password(args, stdin)
                users.set_password(session, found, password, actor=actor)
                print(f"new password set for {found.login}; their sessions have ended")
            else:
                disabled = args.user_command == "disable"
                users.set_disabled(session, found, disabled, actor=actor)
                print(f"{found.login} is {'disabled' if disabled else 'enabled'}")
    if generated:
        print(f"password (shown only now): {password}")
    return 0


def run_user_command(
    args: argparse.Namespace, settings: ServerSettings, stdin: TextIO, actor: str
) -> int:
    registry = Registry(settings.registry_sqlalchemy_url)
    try:
        if args.user_command == "list":
            return _list(registry)
        return _change(args, registry, stdin, actor)
    except users.UserError as exc:
        print(f"kyusui-api: {exc.message}", file=sys.stderr)
        return EXIT_EXISTS if exc.code == "conflict" else EXIT_ERROR
    except WeakPasswordError as exc:
        print(f"kyusui-api: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        registry.close()
