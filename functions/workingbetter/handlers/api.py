"""The HTTP API: a Chalice app, deployed by SAM as an ordinary function (its handler is `app`).

This is the one place that builds the app and registers every route on it: what happens at
the edges of every request, the JSON routes (one blueprint per concern, `*_routes.py`, each
guarded by handlers/guard.py), the pages' and the FHIR routes'.
"""

from __future__ import annotations

from workingbetter.fhir.routes import blueprint as fhir_routes
from workingbetter.handlers import (
    case_routes,
    coach_routes,
    edges,
    ops_routes,
    people_routes,
    practice_routes,
    referral_routes,
    step_routes,
    withdrawal_routes,
)
from workingbetter.handlers.guard import ThreadSafeChalice
from workingbetter.web import blueprint as web_pages

# Init imports what routing needs. Settings (pydantic-settings), the services and their models
# (pydantic), boto3, PyJWT (checking tokens) and Jinja2 are imported inside the routes by the
# first request that needs them: a cold start pays only for what its request uses.

# The JSON API's routes, a blueprint per concern.
JSON_ROUTES = (referral_routes, step_routes, withdrawal_routes, case_routes, ops_routes,
               people_routes, practice_routes, coach_routes)

app = ThreadSafeChalice(app_name="working-better-api", configure_logs=False)
app.register_blueprint(edges.blueprint)
app.register_blueprint(web_pages)
app.register_blueprint(fhir_routes)
for _routes in JSON_ROUTES:
    app.register_blueprint(_routes.blueprint)
