"""GOV.UK Frontend's stylesheet, fonts and images, served from node_modules for the local stack.
Deployed, these files belong on S3 behind CloudFront; this route is the local stand-in."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from chalice.app import Response

from workingbetter.web.registry import blueprint

ROOT = Path(__file__).resolve().parents[3]
DIST = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STYLESHEET = "govuk-frontend.min.css"
FOLDERS = {"fonts", "images"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".ico": "image/x-icon",
         ".svg": "image/svg+xml", ".css": "text/css; charset=utf-8", ".png": "image/png"}
HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=86400"}


def asset_file(folder: str | None, name: str) -> Path | None:
    """The file for an asset URL, or None: only known folders, plain names, no way out."""
    if not _NAME.fullmatch(name) or (folder is not None and folder not in FOLDERS):
        return None
    path = DIST / STYLESHEET if folder is None and name == STYLESHEET else \
        DIST / "assets" / folder / name if folder else None
    if path is None or not path.is_file() or not path.resolve().is_relative_to(DIST.resolve()):
        return None
    return path


def _serve(folder: str | None, name: str) -> Response:
    path = asset_file(folder, name)
    if path is None:
        return Response(body="Not found", status_code=404,
                        headers={**HEADERS, "Content-Type": "text/plain"})
    kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/plain"
    binary = not kind.startswith(("text/", "image/svg"))
    body: bytes | str = path.read_bytes() if binary else path.read_text()
    return Response(body=body, status_code=200, headers={**HEADERS, "Content-Type": kind})


@blueprint.route("/assets/{name}", methods=["GET"])
def stylesheet(name: str) -> Response:
    return _serve(None, name)


@blueprint.route("/assets/{folder}/{name}", methods=["GET"])
def asset(folder: str, name: str) -> Response:
    return _serve(folder, name)
