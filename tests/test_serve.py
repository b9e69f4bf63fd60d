"""``mtqa serve``: LanguageTool's protocol for editors' clients (tested with the real
``language-tool-python`` client), mtqa's own API (with ``httpx``), the review page, limits,
errors without stack traces, access logs, CORS and a graceful stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from starlette.testclient import TestClient
from test_html_browser import browser  # noqa: F401 (the Chromium fixture)

from mtqa.api import Checker
from mtqa.config import Config
from mtqa.document import Document
from mtqa.report.json_report import document_dict
from mtqa.server.app import Limits, build
from mtqa.server.languagetool import Utf16, utf16_len
from mtqa.server.openapi import openapi
from mtqa.server.run import ServeOptions, is_loopback
from mtqa.server.service import Service

# An emoji (two UTF-16 units) and accents before each error: offsets differ between Python and
# LanguageTool's UTF-16 units.
TEXT = (
    "🎉 Fête à Montréal : le ministre s'est démissionné hier après une longue crise politique. "
    "Les soldats 🇫🇷 ont perdu le nombre face aux troupes russes."
)
GERMAN = (
    "Der Bundeskanzler ist am Montag nach Paris gereist. Dort traf er den französischen Präsidenten. "
    "Beide sprachen über die Lage in der Ukraine und über den Haushalt der Europäischen Union."
)
ERRORS = {"MTQA401": "s'est démissionné", "MTQA302": "perdu le nombre"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mtqa", "serve", "--port", str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def stop(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err.decode("utf-8")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server("--no-model")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The app in process, for protocol details; the real server is tested below."""
    app = build(Service(Config(model=False)), Limits(max_bytes=200_000, body_seconds=2))
    with TestClient(app) as c:
        yield c


# ---------------------------------------------------------------------------- LanguageTool protocol


def test_language_tool_python_gets_matches_that_slice_the_right_text(server: Server) -> None:
    language_tool_python = pytest.importorskip("language_tool_python")
    with language_tool_python.LanguageTool("fr-FR", remote_server=server.url) as tool:
        matches = tool.check(TEXT)
    found = {m.rule_id: TEXT[m.offset : m.offset + m.error_length] for m in matches}
    assert found == ERRORS
    fix = next(m for m in matches if m.rule_id == "MTQA302")
    assert fix.replacements == ["être en infériorité numérique"]
    assert fix.rule_issue_type == "grammar" and fix.category == "CALQUE"


def test_language_tool_python_reports_a_non_french_language(server: Server) -> None:
    language_tool_python = pytest.importorskip("language_tool_python")
    with (
        language_tool_python.LanguageTool("fr", remote_server=server.url) as tool,
        pytest.raises(language_tool_python.exceptions.LanguageToolError, match="French only"),
    ):
        tool._query_server(
            server.url + "/v2/check", {"language": "de-DE", "text": "Guten Tag."}, method="post"
        )


def test_offsets_are_utf16_code_units(client: TestClient) -> None:
    r = client.post("/v2/check", data={"text": TEXT, "language": "fr"})
    assert r.status_code == 200
    body = r.json()
    assert body["language"]["code"] == "fr"
    units = TEXT.encode("utf-16-le")
    for m in body["matches"]:
        words = units[2 * m["offset"] : 2 * (m["offset"] + m["length"])].decode("utf-16-le")
        assert words == ERRORS[m["rule"]["id"]]
        assert m["offset"] != TEXT.index(words)  # the emoji before it count twice
        ctx = m["context"]
        ctx_units = ctx["text"].encode("utf-16-le")
        assert ctx_units[2 * ctx["offset"] : 2 * (ctx["offset"] + ctx["length"])].decode("utf-16-le") == words
        assert m["sentence"] in TEXT and words in m["sentence"]
    assert Utf16("a🎉b")(2) == 3 and utf16_len("🇫🇷") == 4


def test_annotated_data_offsets_count_the_markup(client: TestClient) -> None:
    annotation = [
        {"markup": "<p>"},
        {"text": "Le ministre "},
        {"markup": "<b>", "interpretAs": ""},
        {"text": "s'est démissionné"},
        {"markup": "</b>"},
        {"text": " hier."},
        {"markup": "<br/>", "interpretAs": "\n\n"},
        {"text": "La séance a repris."},
    ]
    original = "".join(x.get("text", x.get("markup", "")) for x in annotation)
    r = client.post("/v2/check", data={"data": json.dumps({"annotation": annotation}), "language": "fr"})
    assert r.status_code == 200, r.text
    (m,) = r.json()["matches"]
    assert original[m["offset"] : m["offset"] + m["length"]] == "s'est démissionné"


def test_rule_and_category_parameters(client: TestClient) -> None:
    def rules(**fields: str) -> set[str]:
        r = client.post("/v2/check", data={"text": TEXT, "language": "fr", **fields})
        assert r.status_code == 200, r.text
        return {m["rule"]["id"] for m in r.json()["matches"]}

    assert rules() == set(ERRORS)
    assert rules(disabledRules="MTQA401") == {"MTQA302"}
    assert rules(enabledRules="MTQA401", enabledOnly="true") == {"MTQA401"}
    assert rules(disabledCategories="CALQUE") == {"MTQA401"}
    assert rules(enabledCategories="calque", enabledOnly="true") == {"MTQA302"}
    quotes = 'Il a dit : "Nous allons agir vite", selon l\'AFP.'
    r = client.post("/v2/check", data={"text": quotes, "language": "fr", "level": "picky"})
    assert "MTQA701" in {m["rule"]["id"] for m in r.json()["matches"]}  # house style when picky
    r = client.post("/v2/check", data={"text": quotes, "language": "fr"})
    assert r.json()["matches"] == []


def test_languages_and_errors_in_languagetool_shape(client: TestClient) -> None:
    langs = client.get("/v2/languages").json()
    assert {"name": "French (France)", "code": "fr", "longCode": "fr-FR"} in langs
    for data, needle in [
        ({"text": "Hello.", "language": "en-US"}, "French only"),
        ({"text": "Bonjour."}, "Missing 'language'"),
        ({"language": "fr"}, "Missing 'text' or 'data'"),
        ({"data": "{not json", "language": "fr"}, "'data' must be JSON"),
        ({"text": TEXT, "language": "fr", "enabledCategories": "nonsense"}, "unknown category"),
    ]:
        r = client.post("/v2/check", data=data)
        assert r.status_code == 400 and r.text.startswith("Error: ") and needle in r.text, r.text


# ---------------------------------------------------------------------------- mtqa's API


def _validator() -> jsonschema.Draft202012Validator:
    spec = openapi()
    schema = {"$ref": "#/components/schemas/checkResponse", "components": spec["components"]}
    return jsonschema.Draft202012Validator(schema)


def test_v1_with_httpx_is_the_json_report_document(server: Server) -> None:
    source = "The minister resigned yesterday after a long political crisis. The soldiers were outnumbered."
    r = httpx.post(server.url + "/v1/check", json={"text": TEXT, "source": source}, timeout=60)
    assert r.status_code == 200
    body = r.json()
    _validator().validate(body)
    expected = Checker(Config(model=False)).check(Document("text", TEXT, source=source))
    assert body["document"] == json.loads(json.dumps(document_dict(expected)))
    spec = httpx.get(server.url + "/openapi.json").json()
    assert spec["openapi"].startswith("3.1") and "/v1/check" in spec["paths"]


def test_v1_settings(client: TestClient) -> None:
    r = client.post("/v1/check", json={"text": TEXT, "settings": {"ignore": ["MTQA3"]}})
    rules = [f["rule"] for s in r.json()["document"]["sentences"] for f in s["findings"]]
    assert rules == ["MTQA401"]


@pytest.mark.parametrize(
    ("kwargs", "status", "needle"),
    [
        ({"content": b"text=x", "headers": {"content-type": "text/plain"}}, 415, "application/json"),
        ({"content": b'{"text": "\xff"}', "headers": {"content-type": "application/json"}}, 400, "UTF-8"),
        ({"content": b"{nope", "headers": {"content-type": "application/json"}}, 400, "invalid JSON"),
        ({"json": {"text": 3}}, 400, '"text" must be a string'),
        ({"json": {"text": "x", "extra": 1}}, 400, "unknown field"),
        (
            {"json": {"text": GERMAN}},
            422,
            "French",
        ),
        ({"content": b"\x00\x01" * 200_000, "headers": {"content-type": "application/json"}}, 413, "limit"),
    ],
)
def test_v1_errors_are_json_without_traces(
    client: TestClient, kwargs: dict[str, Any], status: int, needle: str
) -> None:
    r = client.post("/v1/check", **kwargs)
    assert r.status_code == status
    assert needle in r.json()["error"]["message"]
    assert "Traceback" not in r.text


def test_v2_bad_bodies(client: TestClient) -> None:
    r = client.post(
        "/v2/check",
        content=b"text=%FF&language=fr",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400 and "UTF-8" in r.text
    r = client.post("/v2/check", content=b"\x89PNG\x00", headers={"content-type": "image/png"})
    assert r.status_code == 415
    r = client.post("/v2/check", data={"text": "x" * 250_000, "language": "fr"})
    assert r.status_code == 413 and "limit" in r.text


def test_time_limit_is_503() -> None:
    slow = Service(Config(model=False), timeout=0.001)
    with TestClient(build(slow, Limits())) as c:
        r = c.post("/v1/check", json={"text": "Le conseil a voté le budget. " * 3000})
    assert r.status_code == 503 and "limit" in r.json()["error"]["message"]


# ---------------------------------------------------------------------------- page, headers, logs


def test_review_page_checks_and_escapes(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "form-action 'self'" in csp and "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert '<form class="review" method="post"' in r.text and "<mark" not in r.text
    hostile = TEXT + ' <script>alert(1)</script> <img src=x onerror="alert(2)">'
    r = client.post("/", files={"text": (None, hostile)})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert 'data-rule="MTQA401"' in r.text and 'data-rule="MTQA302"' in r.text
    upload = client.post("/", files={"file": ("a.txt", TEXT.encode("utf-8"), "text/plain")})
    assert upload.status_code == 200 and "<mark" in upload.text
    binary = client.post("/", files={"file": ("a.txt", b"\x00\x01\x02binary", "application/octet-stream")})
    assert binary.status_code == 400 and "binary data" in binary.text


def test_headers_and_no_cors_by_default(client: TestClient) -> None:
    r = client.get("/health", headers={"Origin": "https://evil.example"})
    assert r.json()["status"] == "ok"
    assert "access-control-allow-origin" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"
    app = build(Service(Config(model=False)), Limits(allow_origins=("https://cms.example",)))
    with TestClient(app) as c:
        ok = c.get("/health", headers={"Origin": "https://cms.example"})
        other = c.get("/health", headers={"Origin": "https://evil.example"})
    assert ok.headers["access-control-allow-origin"] == "https://cms.example"
    assert "access-control-allow-origin" not in other.headers


def test_localhost_by_default() -> None:
    assert ServeOptions().host == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0")


def test_sigterm_lets_the_check_in_progress_finish_and_logs_each_request() -> None:
    running = Server("--no-model")
    long_text = "Le conseil municipal a voté le budget lundi soir après un long débat. " * 2500
    result: dict[str, Any] = {}

    def slow_request() -> None:
        r = httpx.post(running.url + "/v1/check", json={"text": long_text}, timeout=60)
        result["status"] = r.status_code

    thread = threading.Thread(target=slow_request)
    thread.start()
    time.sleep(0.3)
    code, err = running.stop()
    thread.join(timeout=60)
    assert result.get("status") == 200  # answered before the server stopped
    # uvicorn shuts down, then re-raises the signal so the exit status says what stopped it.
    assert code in (0, -signal.SIGTERM), err
    assert "Traceback" not in err
    logged = [json.loads(line) for line in err.splitlines() if line.startswith('{"ts"')]
    assert {"path": "/v1/check", "status": 200} in [
        {"path": x["path"], "status": x["status"]} for x in logged
    ]
    assert all(set(x) == {"ts", "client", "method", "path", "status", "bytes", "ms"} for x in logged)
    assert long_text[:40] not in err  # text is never logged


def test_bad_configuration_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "mtqa.toml"
    bad.write_text("[tool.mtqa]\nfail-on = 'sometimes'\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "mtqa", "serve", "--config", str(bad), "--port", str(_free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("mtqa: error:") and "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------- the page in Chromium

BROWSER_TEXT = (  # ChromeDriver types BMP characters only
    "Le ministre s'est démissionné hier après une longue crise politique.\n\n"
    "Les soldats ont perdu le nombre face aux troupes russes."
)


def test_review_page_in_chromium(server: Server, browser: Any) -> None:  # noqa: F811
    d = browser
    d.get(server.url + "/")
    box = d.find_element("id", "text")
    box.send_keys(BROWSER_TEXT)
    d.find_element("id", "check").click()
    # The page asks the server and then draws the report: wait for it (a loaded CI runner
    # took longer than the first look, which found no mark yet).
    from selenium.webdriver.support.ui import WebDriverWait

    marks = WebDriverWait(d, 30).until(lambda d: d.find_elements("css selector", "mark.f.first"))
    assert {m.get_attribute("data-rule") for m in marks} == set(ERRORS)
    assert d.find_element("id", "text").get_attribute("value") == BROWSER_TEXT  # kept for editing
    marks[0].click()
    assert d.find_element("id", "details").is_displayed()  # the report's own script runs under the CSP
    errors = [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def test_multipart_fields_must_be_utf8_and_uploads_stay_in_memory() -> None:
    from starlette.formparsers import MultiPartParser

    app = build(Service(Config(model=False)), Limits(max_bytes=5_000_000))
    assert MultiPartParser.spool_max_size > 5_000_000  # never spooled to a temporary file
    with TestClient(app) as c:
        body = (
            b'--b\r\nContent-Disposition: form-data; name="text"\r\n\r\n'
            b"Le minist\xe8re a d\xe9missionn\xe9.\r\n--b--\r\n"  # Latin-1 bytes, not UTF-8
        )
        r = c.post("/", content=body, headers={"content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 400 and "not valid UTF-8" in r.text
