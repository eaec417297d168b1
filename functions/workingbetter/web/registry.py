"""The pages' Chalice blueprint. Registering it also lets the app answer with font files."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Chalice

# Served by the asset route; Chalice base64-encodes these for API Gateway and decodes them
# again in its local server.
BINARY_TYPES = ("font/woff2", "font/woff", "image/x-icon", "image/png")


class WebBlueprint(Blueprint):
    def register(self, app: Chalice, options: dict[str, Any]) -> None:
        super().register(app, options)
        app.api.binary_types.extend(t for t in BINARY_TYPES if t not in app.api.binary_types)


blueprint = WebBlueprint(__name__)
