"""``/docs`` and ``/redoc`` with Swagger UI and ReDoc from npm: they work with no internet."""

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from server.console.csp import DOCS_POLICY
from server.console.vendor import vendor_url

router = APIRouter(include_in_schema=False)
OPENAPI_URL = "/openapi.json"
TITLE = "Kyusui API"
FAVICON = vendor_url("swagger-ui-dist/favicon-32x32.png")


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title=f"{TITLE} — Swagger UI",
        swagger_js_url=vendor_url("swagger-ui-dist/swagger-ui-bundle.js"),
        swagger_css_url=vendor_url("swagger-ui-dist/swagger-ui.css"),
        swagger_favicon_url=FAVICON,
    )
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page


@router.get("/redoc")
def redoc() -> HTMLResponse:
    """ReDoc draws a credit logo from its makers' site: the policy keeps it from loading."""
    page = get_redoc_html(
        openapi_url=OPENAPI_URL,
        title=f"{TITLE} — ReDoc",
        redoc_js_url=vendor_url("redoc/bundles/redoc.standalone.js"),
        redoc_favicon_url=FAVICON,
        with_google_fonts=False,
    )
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page
