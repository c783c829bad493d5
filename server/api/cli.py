"""``kyusui-api``: serve the API, migrate the registry, manage staff users.

Arguments are parsed before anything else, so ``--help`` reads no settings, opens no
registry and starts nothing.
"""

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from server.registry.models import Role

EXIT_ERROR = 1
EXIT_EXISTS = 3  # ``user add`` for a login that is taken
EXIT_UNKNOWN = 4  # ``user passwd|disable|enable`` for a login nobody has

_EPILOG = """\
設定 / settings: /etc/kyusui/server.toml (KYUSUI_SERVER_CONFIG), then KYUSUI_SERVER_* variables.
最初の管理者 / the first admin:  kyusui-api user add LOGIN --role admin
exit status: 0 done, 1 error, 3 login taken, 4 no such login.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kyusui-api",
        description="Kyusui API サーバー / the Kyusui API server. "
        "Without a command it serves (as the systemd unit does).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="serve the API and the console (the default)")
    commands.add_parser("migrate", help="bring the registry to the newest schema, then exit")

    user = commands.add_parser("user", help="staff users who sign in to the console")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser(
        "add",
        help="add a user (prints a generated password once)",
        description="Add a staff user. Without --password-stdin a strong password is "
        "generated and printed once.",
    )
    add.add_argument("login", help="what the user types to sign in, e.g. sato@ward.example")
    add.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        help="reader: sees everything, changes nothing; staff: also stations, alerts, "
        "notices; admin: also users and API tokens",
    )
    add.add_argument("--name", help="the name shown in the console (default: the login)")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    user_commands.add_parser("list", help="list users, their roles and last sign-in")
    passwd = user_commands.add_parser(
        "passwd",
        help="set a new password (ends the user's sessions, lifts a lock-out)",
        description="Set a user's password. Without --password-stdin a strong password is "
        "generated and printed once.",
    )
    passwd.add_argument("login")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    disable = user_commands.add_parser(
        "disable", help="stop a user signing in (ends their sessions)"
    )
    disable.add_argument("login")
    enable = user_commands.add_parser("enable", help="let a disabled user sign in again")
    enable.add_argument("login")
    return parser


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Imported here: parsing (and --help) needs none of it.
    from server.logs import setup_logging
    from server.settings import ServerSettings

    settings = ServerSettings()
    if args.command == "user":  # a person at a terminal: plain lines, no JSON log
        from server.api.cli_users import run_user_command

        return run_user_command(args, settings, stdin or sys.stdin, _actor())
    setup_logging()

    from server.registry.db import Registry

    if args.command == "migrate":
        Registry(settings.registry_sqlalchemy_url).close()
        print("registry is at the newest schema")
        return 0

    import uvicorn

    from server.api.app import create_app

    logging.getLogger("kyusui.api").info("api starting", extra={"settings": settings.masked()})
    uvicorn.run(
        create_app(settings), host=settings.api_host, port=settings.api_port, log_level="warning"
    )
    return 0
