"""The web console at ``/console/`` (issue 12): a static single-page app in plain ES modules,
served by the gateway with no asset from another host (CONTRACT "Reports, forms and the
console"). It talks only to ``/api/v1`` and ``/auth/token`` with the signed-in user's own
token, so it shows nothing the API would not; which buttons a user sees follows the
``x-roles`` of each operation in ``/api/v1/openapi.json``."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from gateway.auth.access import public

STATIC = Path(__file__).parent / "static"
# Everything from the gateway itself: no CDN, no inline script, no framing by other sites.
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)

# Module scripts need a JavaScript type; the system's mime.types may not say so.
TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}

blp = Blueprint("console", __name__, url_prefix="/console")


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-cache"
    return response


@blp.route("/")
@public
def index() -> Response:
    """The console's single page; the pages inside it are chosen by the URL's #fragment."""
    return _secure(send_from_directory(STATIC, "index.html", mimetype="text/html"))


@blp.route("/<path:name>")
@public
def asset(name: str) -> Response:
    """A script, style sheet or icon of the console (404 for anything else)."""
    mimetype = TYPES.get(Path(name).suffix)
    return _secure(send_from_directory(STATIC, name, mimetype=mimetype))
