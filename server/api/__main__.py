"""``kyusui-api`` (``python -m server.api``): see ``server.api.cli`` or ``kyusui-api --help``."""

import sys

from server.api.cli import main

if __name__ == "__main__":
    sys.exit(main())
