"""``kyusui-api``: serve the API with uvicorn; ``kyusui-api migrate`` only migrates."""

import logging
import sys

import uvicorn

from server.api.app import create_app
from server.logs import setup_logging
from server.registry.db import Registry
from server.settings import ServerSettings


def main() -> None:
    setup_logging()
    settings = ServerSettings()
    if sys.argv[1:] == ["migrate"]:
        Registry(settings.registry_sqlalchemy_url).close()
        print("registry is at the newest schema")
        return
    logging.getLogger("kyusui.api").info("api starting", extra={"settings": settings.masked()})
    uvicorn.run(
        create_app(settings), host=settings.api_host, port=settings.api_port, log_level="warning"
    )


if __name__ == "__main__":
    main()
