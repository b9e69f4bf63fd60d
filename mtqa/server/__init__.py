"""``mtqa serve``: a check server for editors' tools. ``app`` is the HTTP side, ``service`` the
checking, ``languagetool`` LanguageTool's protocol, ``page`` the review page, ``openapi`` the
description of mtqa's own API, ``run`` the process (uvicorn, workers, signals, logs)."""
