"""The ASGI application of ``mtqa serve`` (Starlette): routes, request limits, errors, logs.

    GET  /                the review page: paste or upload an article, see the HTML report
    POST /                the same page, checked
    POST /v2/check        LanguageTool's protocol (form fields text or data, language)
    GET  /v2/languages    the French variants, as LanguageTool lists languages
    POST /v1/check        mtqa's own API: JSON in, one schema-1 document out
    GET  /openapi.json    its OpenAPI description
    GET  /health          liveness, version, model and limits

Every request body is read through one bounded reader: over the size limit it is refused with
413 before it is held in memory, a body that takes too long to arrive gets 408, a wrong
content type 415, undecodable bytes 400. No error answer carries a stack trace. Text is never
logged, evaluated or written to disk; each request gets one JSON access-log line on stderr.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders, UploadFile
from starlette.formparsers import MultiPartParser
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mtqa import __version__
from mtqa.report.json_report import SCHEMA_VERSION, document_dict
from mtqa.server import languagetool, page
from mtqa.server.openapi import openapi
from mtqa.server.service import CheckTimeout, NotChecked, Selection, Service

access_log = logging.getLogger("mtqa.access")
log = logging.getLogger("mtqa.server")

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 1_000_000  # a request body; a long article is 50 KB
    body_seconds: float = 10.0  # to receive a body: a slow client cannot hold a check slot
    allow_origins: tuple[str, ...] = ()  # CORS: none unless asked for


class HTTPProblem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, limits: Limits) -> bytes:
    """The whole body, or HTTPProblem: 413 over the limit (before reading it, when the
    client declares its length), 408 when it is too slow to arrive."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPProblem(400, "invalid Content-Length")
        if int(declared) > limits.max_bytes:
            raise HTTPProblem(413, _too_large(int(declared), limits))
    chunks, size = [], 0
    try:
        with anyio.fail_after(limits.body_seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limits.max_bytes:
                    raise HTTPProblem(413, _too_large(size, limits, at_least=True))
                chunks.append(chunk)
    except TimeoutError:
        raise HTTPProblem(408, f"the request body did not arrive within {limits.body_seconds:g} s") from None
    body = b"".join(chunks)
    request._body = body  # Starlette's form parser reads a cached body
    return body


def _too_large(size: int, limits: Limits, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return (
        f"the request is {more}{size:,} bytes, over this server's limit of {limits.max_bytes:,} bytes; "
        "check a shorter text or start the server with a larger --max-request-bytes"
    )


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise HTTPProblem(400, f"{what} is not valid UTF-8 (byte {e.start})") from None


async def _form(request: Request, limits: Limits) -> dict[str, str | UploadFile]:
    """Form fields of a urlencoded or multipart body, strings decoded strictly as UTF-8."""
    kind = _media_type(request)
    if kind not in FORM_TYPES:
        raise HTTPProblem(
            415, f"send the fields as {' or '.join(FORM_TYPES)}, not {kind or 'no content type'}"
        )
    body = await read_body(request, limits)
    if kind == FORM_TYPES[0]:
        try:
            pairs = urllib.parse.parse_qsl(
                _utf8(body, "the form"), keep_blank_values=True, encoding="utf-8", errors="strict"
            )
        except UnicodeDecodeError:
            raise HTTPProblem(400, "a form field is not valid UTF-8") from None
        return dict(pairs)
    try:
        form = await request.form(max_files=1, max_fields=32)
    except Exception as e:  # python-multipart's and Starlette's parse errors have no common base
        raise HTTPProblem(400, f"cannot read the multipart form ({type(e).__name__})") from None
    fields: dict[str, str | UploadFile] = {}
    for key, value in form.multi_items():
        # Starlette falls back to Latin-1 for a field that is not UTF-8: then the value, encoded
        # back as UTF-8, is not the bytes that were sent.
        if isinstance(value, str) and value.encode("utf-8", errors="surrogatepass") not in body:
            raise HTTPProblem(400, f"form field {key!r} is not valid UTF-8")
        fields[key] = value
    return fields


# ---------------------------------------------------------------------------- routes


def build(service: Service, limits: Limits) -> Starlette:
    # An uploaded file stays in memory (Starlette spools parts over 1 MB to a temporary file):
    # the server never writes a text to disk. The body limit bounds the memory.
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, limits.max_bytes + 1)

    async def v2_check(request: Request) -> Response:
        try:
            if request.method == "GET":
                fields: dict[str, Any] = dict(request.query_params)
            else:
                fields = await _form(request, limits)
            if any(not isinstance(v, str) for v in fields.values()):
                raise HTTPProblem(400, "send text fields, not files")
            asked = languagetool.parse(fields)
        except HTTPProblem as e:
            return PlainTextResponse(f"Error: {e}", status_code=e.status)
        except languagetool.ProtocolError as e:
            return PlainTextResponse(f"Error: {e}", status_code=400)
        selection = Selection(asked.select, asked.ignore, asked.only, asked.picky, as_french=True)
        try:
            doc = await service.check(asked.text, selection=selection)
        except CheckTimeout as e:
            return PlainTextResponse(f"Error: {e}", status_code=503)
        except NotChecked as e:
            return PlainTextResponse(f"Error: {e}", status_code=500 if e.internal else 400)
        return JSONResponse(languagetool.response(doc, asked))

    async def v2_languages(request: Request) -> Response:
        return JSONResponse(languagetool.LANGUAGES)

    async def v1_check(request: Request) -> Response:
        try:
            if _media_type(request) != "application/json":
                raise HTTPProblem(415, 'send application/json: {"text": "…"}')
            payload = _v1_payload(_utf8(await read_body(request, limits), "the body"))
            doc = await service.check(
                payload["text"],
                source=payload.get("source"),
                reference=payload.get("reference"),
                selection=payload["selection"],
            )
        except HTTPProblem as e:
            return _problem(e.status, str(e))
        except CheckTimeout as e:
            return _problem(503, str(e))
        except NotChecked as e:
            return _problem(500 if e.internal else 422, str(e))
        return JSONResponse(
            {"schema": SCHEMA_VERSION, "mtqa_version": __version__, "document": document_dict(doc)}
        )

    async def review(request: Request) -> Response:
        if request.method == "GET":
            return _page(page.render_page())
        try:
            fields = await _form(request, limits)
            text, source = page.fields(fields)
        except HTTPProblem as e:
            return _page(page.render_page(error=str(e)), e.status)
        except page.FormError as e:
            return _page(page.render_page(error=str(e)), 400)
        if not text.strip():
            return _page(page.render_page(source=source, error="paste or upload an article first"), 400)
        try:
            doc = await service.check(text, source=source, selection=Selection(as_french=True))
        except (CheckTimeout, NotChecked) as e:
            return _page(page.render_page(text=text, source=source, error=str(e)), 503)
        return _page(page.render_page(text=text, source=source, doc=doc, config=service.config))

    async def health(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "mtqa_version": __version__,
                "model": service.checker(Selection()).scorer.id,
                "limits": {"max_request_bytes": limits.max_bytes, "check_seconds": service.timeout},
            }
        )

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(openapi())

    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        await anyio.to_thread.run_sync(service.warm_up)  # the model loads before the first request
        log.info(json.dumps({"event": "ready", "mtqa_version": __version__}))
        yield

    middleware = [Middleware(Guard)]
    if limits.allow_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(limits.allow_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type"],
            )
        )
    routes = [
        Route("/", review, methods=["GET", "POST"]),
        Route("/v2/check", v2_check, methods=["GET", "POST"]),
        Route("/v2/languages", v2_languages, methods=["GET"]),
        Route("/v1/check", v1_check, methods=["POST"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)


def _page(markup: str, status: int = 200) -> HTMLResponse:
    response = HTMLResponse(markup, status_code=status)
    response.headers["Content-Security-Policy"] = page.csp(markup)
    return response


def _v1_payload(body: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except json.JSONDecodeError as e:
        raise HTTPProblem(400, f"invalid JSON ({e.msg} at line {e.lineno} column {e.colno})") from None
    if not isinstance(data, dict):
        raise HTTPProblem(400, 'send a JSON object: {"text": "…"}')
    unknown = set(data) - {"text", "source", "reference", "settings"}
    if unknown:
        raise HTTPProblem(400, f"unknown field(s) {', '.join(sorted(unknown))}")
    if not isinstance(data.get("text"), str):
        raise HTTPProblem(400, '"text" must be a string')
    for key in ("source", "reference"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise HTTPProblem(400, f'"{key}" must be a string or null')
    settings = data.get("settings") or {}
    if not isinstance(settings, dict) or set(settings) - {"select", "ignore", "house_style"}:
        raise HTTPProblem(400, '"settings" takes select, ignore (lists of rule codes) and house_style')
    codes = {}
    for key in ("select", "ignore"):
        value = settings.get(key, [])
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            raise HTTPProblem(400, f'"settings.{key}" must be a list of rule codes or prefixes')
        codes[key] = tuple(c.upper() for c in value)
    if not isinstance(settings.get("house_style", False), bool):
        raise HTTPProblem(400, '"settings.house_style" must be true or false')
    data["selection"] = Selection(
        codes["select"], codes["ignore"], house_style=settings.get("house_style", False)
    )
    return data


# ---------------------------------------------------------------------------- middleware

_SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


class Guard:
    """Around every request: security headers, one access-log line, and a plain 500 (never a
    stack trace) if anything below fails."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, size, sent = 0, 0, False

        async def send_guarded(message: Message) -> None:
            nonlocal status, size, sent
            if message["type"] == "http.response.start":
                status, sent = message["status"], True
                headers = MutableHeaders(scope=message)
                for name, value in _SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_guarded)
        except ClientDisconnect:
            status = status or 499
        except Exception:
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if not sent:
                await PlainTextResponse("Error: internal server error", status_code=500)(
                    scope, receive, send_guarded
                )
            status = 500
        finally:
            client = scope.get("client")
            access_log.info(
                json.dumps(
                    {
                        "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                        "client": client[0] if client else None,
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status,
                        "bytes": size,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                )
            )
