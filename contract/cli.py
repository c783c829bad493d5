"""Command lines of the long-running services: ``--help`` prints and exits, nothing else starts.

The services take their settings from a TOML file and ``KYUSUI_*`` variables, not from
arguments; parsing the (empty) command line first means ``kyusui-agent --help`` or a mistyped
option never opens a database, a port or a sensor.
"""

import argparse


def parse_service_args(
    prog: str, description: str, settings_hint: str, argv: list[str] | None = None
) -> None:
    """Print help and exit for ``--help``; exit with status 2 for any other argument."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description,
        epilog=settings_hint,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)
