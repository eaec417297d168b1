"""Where a request or an event comes in: the Chalice app's JSON routes (api.py), the
workflow task and scheduled functions, who is calling, security headers, and the one place
errors become problem+json. Parse, call one service, answer (docs/architecture.md §2)."""
