"""``kyusui-api``: serve the API with uvicorn."""

import logging

import uvicorn

from server.api.app import create_app
from server.settings import ServerSettings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = ServerSettings()
    logging.getLogger("kyusui.api").info("api starting: %s", settings.masked())
    uvicorn.run(
        create_app(settings), host=settings.api_host, port=settings.api_port, log_level="warning"
    )


if __name__ == "__main__":
    main()
