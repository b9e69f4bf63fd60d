"""LanguageTool's HTTP protocol (``POST /v2/check``, ``GET /v2/languages``), so that its clients
(the LibreOffice extension, browser add-ons, editor plugins, ``language-tool-python``) can be
pointed at ``mtqa serve``. This module only translates: request fields → mtqa settings and
text, a checked Document → LanguageTool's JSON.

- Offsets: LanguageTool counts in UTF-16 code units, as Java does; mtqa in code points. An
  astral character (an emoji) is one index here and two there.
- ``data``: LanguageTool's annotated text, ``{"annotation": [{"text": …}, {"markup": …,
  "interpretAs": …}]}``. mtqa checks the text with each markup read as its ``interpretAs``;
  offsets count the markup too, as LanguageTool's do, so a client can map them back.
- ``issueType`` decides a client's colour; it is chosen by severity (critical → misspelling,
  red everywhere; major → grammar; minor → style, the least alarming), and mtqa's category
  goes in ``rule.category``.
- Rule parameters: ``enabledRules``/``disabledRules`` take mtqa codes or prefixes (like
  ``--select``/``--ignore``), ``enabledOnly=true`` keeps only the enabled ones,
  ``enabledCategories``/``disabledCategories`` take mtqa categories (``CALQUE`` or
  ``calque``), ``level=picky`` turns on the house-style rules.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any

from mtqa import __version__
from mtqa.checks.rulebook import CATEGORIES, all_rules, rule
from mtqa.document import Document, Finding, Sentence, Severity

# The French variants LanguageTool knows; mtqa checks them all the same way.
LANGUAGES = [
    {"name": "French", "code": "fr", "longCode": "fr"},
    {"name": "French (France)", "code": "fr", "longCode": "fr-FR"},
    {"name": "French (Belgium)", "code": "fr", "longCode": "fr-BE"},
    {"name": "French (Switzerland)", "code": "fr", "longCode": "fr-CH"},
    {"name": "French (Canada)", "code": "fr", "longCode": "fr-CA"},
]
_KNOWN = {x["longCode"].lower() for x in LANGUAGES} | {"auto"}
ISSUE_TYPES = {Severity.CRITICAL: "misspelling", Severity.MAJOR: "grammar", Severity.MINOR: "style"}
CONTEXT_CHARS = 40  # on each side, as LanguageTool's default context


class ProtocolError(ValueError):
    """A request LanguageTool would refuse; answered 400 with ``Error: …`` in plain text."""


@dataclass
class Request:
    """A ``/v2/check`` request: the plain text to check, how to map its offsets back, and the
    rule selection it asks for."""

    text: str
    language: str
    # Offsets into ``text`` where a markup run was removed, and the width (UTF-16) it had.
    markup_at: list[int] = field(default_factory=list)
    markup_width: list[int] = field(default_factory=list)  # cumulative
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    only: bool = False
    picky: bool = False


def parse(fields: dict[str, str]) -> Request:
    """The request's form fields (``text`` or ``data``, ``language`` and the rule options)."""
    language = fields.get("language", "").strip()
    if not language:
        raise ProtocolError("Missing 'language' parameter, e.g. language=fr")
    if language.lower() not in _KNOWN:
        codes = ", ".join(sorted(x["longCode"] for x in LANGUAGES))
        raise ProtocolError(
            f"'{language}' is not a language code this server checks: mtqa checks French only "
            f"(language codes: {codes}, auto)"
        )
    if "text" in fields:
        request = Request(text=fields["text"], language=language)
    elif "data" in fields:
        request = _annotated(fields["data"], language)
    else:
        raise ProtocolError("Missing 'text' or 'data' parameter")
    request.select = _codes(fields.get("enabledRules", ""))
    request.ignore = _codes(fields.get("disabledRules", ""))
    request.only = fields.get("enabledOnly", "").lower() == "true"
    if request.only and not request.select and not fields.get("enabledCategories"):
        raise ProtocolError("enabledOnly=true needs enabledRules or enabledCategories")
    request.select += _category_codes(fields.get("enabledCategories", ""))
    request.ignore += _category_codes(fields.get("disabledCategories", ""))
    request.picky = fields.get("level", "").lower() == "picky"
    return request


def _codes(value: str) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


def _category_codes(value: str) -> tuple[str, ...]:
    """The rule codes of the named categories (``CALQUE``, ``wrong-institution-or-title``)."""
    wanted = set()
    for name in (c.strip().lower().replace("_", "-") for c in value.split(",") if c.strip()):
        if name not in CATEGORIES:
            raise ProtocolError(f"unknown category '{name}'; categories: {', '.join(CATEGORIES)}")
        wanted.add(name)
    return tuple(r.code for r in all_rules() if r.category in wanted)


def _annotated(data: str, language: str) -> Request:
    try:
        annotation = json.loads(data)["annotation"]
        if not isinstance(annotation, list):
            raise TypeError("annotation is not a list")
    except (ValueError, KeyError, TypeError) as e:
        raise ProtocolError(f"'data' must be JSON of the form {{\"annotation\": [...]}} ({e})") from None
    parts: list[str] = []
    request = Request(text="", language=language)
    length = width = 0
    for item in annotation:
        if not isinstance(item, dict):
            raise ProtocolError("each annotation item must be an object with 'text' or 'markup'")
        if isinstance(item.get("text"), str):
            parts.append(item["text"])
            length += len(item["text"])
        elif isinstance(item.get("markup"), str):
            shown = item.get("interpretAs", "")
            if not isinstance(shown, str):
                raise ProtocolError("'interpretAs' must be a string")
            parts.append(shown)
            length += len(shown)
            # The markup is replaced by what it reads as: the client's offsets count the markup.
            width += utf16_len(item["markup"]) - utf16_len(shown)
            request.markup_at.append(length)
            request.markup_width.append(width)
        else:
            raise ProtocolError("each annotation item must have a string 'text' or 'markup'")
    request.text = "".join(parts)
    return request


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


class Utf16:
    """Code-point offsets of one text → UTF-16 offsets, in O(log n) each."""

    def __init__(self, text: str) -> None:
        self.astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self.astral, offset)


def response(doc: Document, request: Request, detected: str | None = None) -> dict[str, Any]:
    """LanguageTool's JSON answer for a checked document."""
    utf16 = Utf16(doc.text)

    def client_offset(offset: int, end: bool = False) -> int:
        # The markup removed before ``offset``: a span starts after markup at its start, and
        # ends before markup at its end.
        find = bisect.bisect_left if end else bisect.bisect_right
        i = find(request.markup_at, offset)
        return utf16(offset) + (request.markup_width[i - 1] if i else 0)

    matches = [_match(doc.text, s, f, utf16, client_offset) for s in doc.sentences for f in s.findings]
    code = "fr" if request.language.lower() == "auto" else request.language
    return {
        "software": {
            "name": "mtqa",
            "version": __version__,
            "buildDate": None,
            "apiVersion": 1,
            "premium": False,
            "status": "",
        },
        "warnings": {"incompleteResults": False},
        "language": {
            "name": _name(code),
            "code": code,
            "detectedLanguage": {
                "name": _name(detected or "fr"),
                "code": detected or "fr",
                "confidence": 0.9,
            },
        },
        "matches": matches,
    }


def _name(code: str) -> str:
    for x in LANGUAGES:
        if x["longCode"].lower() == code.lower():
            return x["name"]
    return code


def _match(text: str, s: Sentence, f: Finding, utf16: Utf16, client: Any) -> dict[str, Any]:
    start, end = client(f.start), client(f.end, end=True)
    c_start = max(f.start - CONTEXT_CHARS, 0)
    c_end = min(f.end + CONTEXT_CHARS, len(text))
    context = " ".join(text[c_start:c_end].split("\n"))
    try:
        r = rule(f.rule)
        description, doc = r.name, r.doc
    except KeyError:
        description, doc = f.rule, ""
    fix = [x for x in f.suggestions if x]
    return {
        "message": f.message,
        "shortMessage": description,
        "replacements": [{"value": x} for x in fix] or ([{"value": ""}] if "" in f.suggestions else []),
        "offset": start,
        "length": end - start,
        "context": {
            "text": context,
            "offset": utf16(f.start) - utf16(c_start),
            "length": utf16(f.end) - utf16(f.start),
        },
        "sentence": s.text,
        "type": {"typeName": "Other"},
        "rule": {
            "id": f.rule,
            "description": description,
            "issueType": ISSUE_TYPES[f.severity],
            "category": {"id": f.category.upper().replace("-", "_"), "name": f.category},
            "doc": doc,
        },
        "ignoreForIncompleteSentence": False,
        "contextForSureMatch": 0,
    }
