"""The web channel: a chat page and a JSON API over the dialog engine (Starlette; see app.py)."""
