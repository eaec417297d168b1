"""Where a request or an event comes in: the Chalice app (api.py) and its JSON routes (a
blueprint per concern, `*_routes.py`, each view guarded by guard.py, the one place their errors
become problem+json), and the workflow task and scheduled functions. Parse, call one service,
answer (docs/architecture.md §2)."""
