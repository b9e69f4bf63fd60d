"""The OpenAPI 3.1 description of ``mtqa serve``'s own API (``/v1/check``), served at
``/openapi.json``. The document schema is the JSON report's (schema-1.json), so the two cannot
drift apart."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from mtqa import __version__


@functools.cache
def _schema_defs() -> dict[str, Any]:
    schema = json.loads((resources.files("mtqa.report") / "schema-1.json").read_text(encoding="utf-8"))
    text = json.dumps(schema["$defs"]).replace("#/$defs/", "#/components/schemas/")
    return json.loads(text)


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}},
    }


def openapi() -> dict[str, Any]:
    schemas = dict(_schema_defs())
    schemas["checkRequest"] = {
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "description": "The French article."},
            "source": {
                "type": ["string", "null"],
                "description": "The English source, for bilingual checks.",
            },
            "reference": {
                "type": ["string", "null"],
                "description": "A reference translation (BLEU, chrF, TER).",
            },
            "settings": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "select": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Extra rule codes or prefixes.",
                    },
                    "ignore": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Rule codes or prefixes to leave out.",
                    },
                    "house_style": {"type": "boolean", "description": "Also the house-style rules."},
                },
            },
        },
    }
    schemas["checkResponse"] = {
        "type": "object",
        "required": ["schema", "mtqa_version", "document"],
        "properties": {
            "schema": {"const": 1},
            "mtqa_version": {"type": "string"},
            "document": {"$ref": "#/components/schemas/document"},
        },
    }
    schemas["error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mtqa",
            "version": __version__,
            "description": "Flags likely mistranslations in machine-translated French news. "
            "LanguageTool's /v2/check protocol is served too.",
        },
        "paths": {
            "/v1/check": {
                "post": {
                    "summary": "Check one article",
                    "operationId": "check",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/checkRequest"}}
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The checked document, as in the JSON report (schema 1).",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/checkResponse"}}
                            },
                        },
                        "400": _error("Invalid JSON, invalid UTF-8 or a field of the wrong type."),
                        "413": _error("The body is over the server's size limit."),
                        "415": _error("Not application/json."),
                        "422": _error("The text cannot be checked (not French)."),
                        "503": _error("The check took longer than the server's time limit."),
                    },
                }
            },
            "/health": {
                "get": {
                    "summary": "Liveness, version, model and limits",
                    "responses": {"200": {"description": "Up."}},
                }
            },
        },
        "components": {"schemas": schemas},
    }
