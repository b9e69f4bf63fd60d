"""Readers: decoding, HTML extraction, JSONL feeds, directories and stdin."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mtqa.document import Document, InputFailure
from mtqa.read import InputError, decode, read_inputs
from mtqa.read.html import extract_article

FR = "Le secrétaire d’État est arrivé à Bruxelles.\nIl a rencontré « ses homologues »."


def read(*paths: Path | str, **options: object) -> list[Document | InputFailure]:
    return list(read_inputs([str(p) for p in paths], **options))  # type: ignore[arg-type]


def only_document(results: list[Document | InputFailure]) -> Document:
    assert len(results) == 1 and isinstance(results[0], Document), results
    return results[0]


def only_failure(results: list[Document | InputFailure]) -> InputFailure:
    assert len(results) == 1 and isinstance(results[0], InputFailure), results
    return results[0]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- decoding ----------------------------------------------------------------------------------


def test_utf8(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", FR.encode("utf-8"))
    doc = only_document(read(path))
    assert doc.text == FR and doc.path == str(path)


def test_utf8_bom_is_stripped() -> None:
    assert decode(b"\xef\xbb\xbf" + FR.encode("utf-8"), None) == FR


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, codec: str) -> None:
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    path = write(tmp_path / "a.txt", bom + FR.encode(codec))
    assert only_document(read(path)).text == FR


def test_utf16_via_generic_codec_name() -> None:
    # Python's "utf-16" writes a BOM in the machine's byte order.
    assert decode(FR.encode("utf-16"), None) == FR


def test_crlf_is_kept_so_offsets_match_the_file(tmp_path: Path) -> None:
    text = "Titre\r\n\r\nIl pleut.\r\nLe vent souffle.\r\n"
    path = write(tmp_path / "crlf.txt", text.encode("utf-8"))
    doc = only_document(read(path))
    assert doc.text == text
    assert doc.text.index("Le vent") == text.index("Le vent")


def test_latin1_bytes_are_an_error_with_a_hint(tmp_path: Path) -> None:
    data = b"x" * 120 + "é".encode("latin-1") + b" et la suite."
    path = write(tmp_path / "a.txt", data)
    failure = only_failure(read(path))
    assert failure.path == str(path)
    assert failure.message == (
        f"{path}: not valid UTF-8 (byte 0xe9 at offset 120); pass --encoding latin-1 (or the right encoding)"
    )


def test_windows_1252_bytes_suggest_cp1252() -> None:
    with pytest.raises(InputError, match="--encoding cp1252"):
        decode("l’État".encode("cp1252"), None)


def test_explicit_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", FR.replace("’", "'").encode("latin-1"))
    assert only_document(read(path, encoding="latin-1")).text == FR.replace("’", "'")


def test_explicit_encoding_that_does_not_fit() -> None:
    with pytest.raises(InputError, match=r"not valid ascii \(byte 0xc3 at offset 2\); check --encoding"):
        decode("Eté".encode(), "ascii")


def test_explicit_utf8_still_strips_the_bom() -> None:
    assert decode(b"\xef\xbb\xbfBonjour.", "utf-8") == "Bonjour."


def test_unknown_encoding_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read_inputs([str(tmp_path / "missing.txt")], encoding="klingon")
    with pytest.raises(InputError, match="unknown encoding"):
        decode(b"abc", "rot13")  # a codec, but not a text encoding


def test_binary_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "x.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert only_failure(read(path)).message == f"{path}: binary data, not text"


def test_control_characters_without_nul_are_binary() -> None:
    with pytest.raises(InputError, match="binary data"):
        decode(bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 20 + b"du texte", None)


def test_binary_behind_a_utf16_bom_is_an_error() -> None:
    with pytest.raises(InputError, match="binary data"):
        decode(b"\xff\xfe" + b"\x01\x00\x02\x00\x03\x00" * 50, None)


@pytest.mark.parametrize("data", [b"", b"  \n\r\n\t  ", b"\xef\xbb\xbf"])
def test_empty_is_an_error(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "empty.txt", data)
    assert only_failure(read(path)).message.startswith(f"{path}: empty file")


def test_over_size_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", b"Il pleut. " * 100)
    assert only_failure(read(path, max_bytes=500)).message == (
        f"{path}: 1.0 kB is over the 500 bytes limit; raise it with --max-bytes"
    )
    assert only_document(read(path, max_bytes=1000)).text.startswith("Il pleut.")


def test_over_size_is_detected_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as f:
        f.truncate(52_400_000)  # sparse: costs no disk

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file should not be opened")

    monkeypatch.setattr("builtins.open", no_open)
    assert only_failure(read(path)).message == (
        f"{path}: 52.4 MB is over the 5.0 MB limit; raise it with --max-bytes"
    )


def test_non_positive_max_bytes_is_refused() -> None:
    with pytest.raises(InputError, match="--max-bytes"):
        read_inputs(["a.txt"], max_bytes=0)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.txt"
    assert only_failure(read(path)) == InputFailure(str(path), f"{path}: no such file")


def test_bad_input_does_not_stop_the_batch(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", FR.encode())
    results = read(tmp_path / "missing.txt", good)
    assert isinstance(results[0], InputFailure)
    assert isinstance(results[1], Document) and results[1].text == FR


def test_markdown_is_read_as_text(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", b"# Titre\n\nIl pleut.")
    assert only_document(read(path)).text == "# Titre\n\nIl pleut."


# --- directories ---------------------------------------------------------------------------------


def test_directory_walk_yields_good_files_around_a_bad_one(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "Deuxième.".encode())
    write(tmp_path / "a.md", b"Premier.")
    write(tmp_path / "c.txt", "Troisième mal encodé é.".encode("latin-1"))
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "d.html", "<p>Quatrième.</p>".encode())
    write(tmp_path / "sub" / "feed.jsonl", b'{"id": 7, "text": "Cinqui\\u00e8me."}\n')
    write(tmp_path / "notes.csv", b"ignored")
    write(tmp_path / ".hidden.txt", b"Cache.")
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git" / "x.txt", b"Cache.")

    results = read(tmp_path)
    names = [Path(r.path).name for r in results]
    assert names == ["a.md", "b.txt", "c.txt", "d.html", "feed.jsonl#7"]
    assert [r.text for r in results if isinstance(r, Document)] == [
        "Premier.",
        "Deuxième.",
        "Quatrième.",
        "Cinquième.",
    ]
    failure = results[2]
    assert isinstance(failure, InputFailure) and "not valid UTF-8" in failure.message
    assert results[0].path == str(tmp_path / "a.md")


def test_directory_without_matching_files(tmp_path: Path) -> None:
    write(tmp_path / "notes.csv", b"a,b")
    failure = only_failure(read(tmp_path))
    assert failure.path == str(tmp_path)
    assert failure.message == f"{tmp_path}: no .txt, .md, .html, .htm or .jsonl files in this directory"


def test_directory_named_like_a_text_file_is_walked_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "articles.txt"
    folder.mkdir()
    write(folder / "a.txt", b"Il pleut.")
    assert only_document(read(folder)).path == str(folder / "a.txt")


# --- HTML ----------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><title>Site</title><style>p { color: red }</style>
<script>var x = "Ne pas lire.";</script></head>
<body>
<header><p>Le Journal du Soir</p></header>
<nav><ul><li>Accueil</li><li>Monde</li></ul></nav>
<article>
  <header><h1>Blinken à   Bruxelles</h1></header>
  <p>Le secrétaire d&rsquo;État est arrivé &agrave; Bruxelles&nbsp;: « c&#39;est
     urgent ».</p>
  <figure><img src="x.jpg" alt="photo"><figcaption>Antony Blinken, mercredi.</figcaption></figure>
  <div>Texte <b>direct</b> dans un div.<p>Puis un paragraphe imbriqué.</p></div>
  <ul><li>Premier point.</li><li>Second point.</li></ul>
  <blockquote>Une citation.</blockquote>
  <!-- un commentaire -->
  <aside>Lire aussi : autre chose</aside>
  <form><button>S'abonner</button></form>
  <noscript>Activez JavaScript.</noscript>
  <svg><text>icône</text></svg>
  <iframe src="pub.html"></iframe>
</article>
<article><p>Un autre article plus court.</p></article>
<footer><p>© Le Journal</p></footer>
</body></html>
"""


def test_html_article_extraction() -> None:
    assert extract_article(PAGE) == "\n\n".join(
        [
            "Blinken à Bruxelles",
            "Le secrétaire d’État est arrivé à Bruxelles\u00a0: « c'est urgent ».",
            "Antony Blinken, mercredi.",
            "Texte direct dans un div.",
            "Puis un paragraphe imbriqué.",
            "Premier point.",
            "Second point.",
            "Une citation.",
        ]
    )


def test_html_drops_furniture() -> None:
    text = extract_article(PAGE)
    for dropped in [
        "Ne pas lire",
        "color",
        "Journal",
        "Accueil",
        "Lire aussi",
        "abonner",
        "JavaScript",
        "icône",
    ]:
        assert dropped not in text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<body><main><p>Dans main.</p></main><div><p>Hors de main.</p></div></body>", "Dans main."),
        ('<body><div role="main"><p>Rôle main.</p></div><p>Dehors.</p></body>', "Rôle main."),
        ("<body><p>Un.</p><p>Deux.</p></body>", "Un.\n\nDeux."),
        ("<h2>Titre</h2>Texte nu<br>après un saut", "Titre\n\nTexte nu\n\naprès un saut"),
        ("<p>Visible.</p><p hidden>Caché.</p>", "Visible."),
        ("<p>Tom &amp; Jerry &lt;3 &eacute;t&eacute;</p>", "Tom & Jerry <3 été"),
    ],
)
def test_html_root_and_blocks(html: str, expected: str) -> None:
    assert extract_article(html) == expected


def test_html_file_becomes_its_article_text(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html", PAGE.encode())
    doc = only_document(read(path))
    assert doc.path == str(path) and doc.text == extract_article(PAGE)


def test_html_declared_charset_is_used_when_not_utf8(tmp_path: Path) -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Été.</p></body></html>'
    path = write(tmp_path / "old.htm", page.encode("latin-1"))
    assert only_document(read(path)).text == "Été."


def test_html_without_text(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.html", b"<html><body><nav>Menu</nav><script>x()</script></body></html>")
    assert "no article text" in only_failure(read(path)).message


# --- JSONL feeds ---------------------------------------------------------------------------------


def test_jsonl_good_and_malformed_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "text": "Premier article.", "source": "First.", "reference": "Premier."}),
        "",
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"id": "a2"}),
        json.dumps({"id": "a3", "text": 42}),
        json.dumps({"id": "a4", "text": "   "}),
        json.dumps({"text": "Sans identifiant."}),
        json.dumps({"id": 5, "text": "Identifiant numérique.", "source": ["x"]}),
        json.dumps({"id": 6, "text": "Dernier article."}),
    ]
    path = write(tmp_path / "feed.jsonl", ("\n".join(lines) + "\n").encode())
    results = read(path)
    assert results[0] == Document(
        path=f"{path}#a1", text="Premier article.", source="First.", reference="Premier."
    )
    failures = {r.path: r.message for r in results if isinstance(r, InputFailure)}
    assert list(failures) == [f"{path}:{n}" for n in (3, 4, 5, 6, 7, 9)]
    assert failures[f"{path}:3"].startswith(f"{path}:3: not valid JSON (")
    assert failures[f"{path}:4"] == f'{path}:4: expected a JSON object with "text", got an array'
    assert failures[f"{path}:5"].startswith(f'{path}:5: no "text" field')
    assert failures[f"{path}:6"] == f'{path}:6: "text" must be a string, got a number'
    assert failures[f"{path}:7"] == f'{path}:7: empty "text"'
    assert failures[f"{path}:9"] == f'{path}:9: "source" must be a string, got an array'
    docs = [r for r in results if isinstance(r, Document)]
    assert [d.path for d in docs] == [f"{path}#a1", f"{path}#8", f"{path}#6"]
    assert docs[1].source is None and docs[1].reference is None


def test_jsonl_text_is_used_as_is(tmp_path: Path) -> None:
    text = "  <p>Pas d'extraction.</p>\r\n"
    path = write(tmp_path / "feed.jsonl", json.dumps({"id": 1, "text": text}).encode())
    assert only_document(read(path)).text == text


def test_jsonl_limit_applies_per_article(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": "x" * 80}) for i in range(10)]
    lines.insert(3, json.dumps({"id": "big", "text": "y" * 200}))
    path = write(tmp_path / "feed.jsonl", "\n".join(lines).encode())
    results = read(path, max_bytes=100)  # the feed itself is far over 100 bytes
    assert sum(isinstance(r, Document) for r in results) == 10
    failure = next(r for r in results if isinstance(r, InputFailure))
    assert failure.message == (
        f"{path}:4: article text is 200 bytes, over the 100 bytes limit; raise it with --max-bytes"
    )


def test_jsonl_bad_utf8_line_does_not_stop_the_feed(tmp_path: Path) -> None:
    data = (
        b'\xef\xbb\xbf{"id": 1, "text": "Un."}\n'
        b'{"id": 2, "text": "D\xe9j\xe0."}\n'  # latin-1 inside a UTF-8 feed
        b'{"id": 3, "text": "Trois."}\n'
    )
    path = write(tmp_path / "feed.jsonl", data)
    results = read(path)
    assert [type(r) for r in results] == [Document, InputFailure, Document]
    assert results[1].path == f"{path}:2" and "not valid UTF-8" in results[1].message


def test_jsonl_oversized_line_is_skipped_without_loading_it(tmp_path: Path) -> None:
    # Lines get room for text, source and reference plus escapes, then 1 MB: this one is over.
    huge = json.dumps({"id": "huge", "text": "z" * 1_100_000})
    path = write(tmp_path / "feed.jsonl", f'{huge}\n{{"id": "ok", "text": "Bien."}}\n'.encode())
    results = read(path, max_bytes=100)
    assert isinstance(results[0], InputFailure) and results[0].path == f"{path}:1"
    assert "line is over" in results[0].message
    assert results[1] == Document(path=f"{path}#ok", text="Bien.")


def test_jsonl_with_only_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.jsonl", b"\n  \n")
    assert "no articles" in only_failure(read(path)).message


# --- stdin ---------------------------------------------------------------------------------------


def test_stdin_text() -> None:
    doc = only_document(read("-", stdin=io.BytesIO(FR.encode("utf-8"))))
    assert doc == Document(path="-", text=FR)


def test_stdin_jsonl() -> None:
    feed = b'{"id": "x", "text": "Un."}\n\n{"text": "Deux."}\n'
    results = read("-", stdin=io.BytesIO(feed))
    assert results == [Document(path="-#x", text="Un."), Document(path="-#3", text="Deux.")]


def test_stdin_mixed_json_and_text_is_text() -> None:
    data = '{"id": "x", "text": "Un."}\nPuis du texte.\n'
    assert only_document(read("-", stdin=io.BytesIO(data.encode()))).text == data


def test_stdin_errors() -> None:
    assert only_failure(read("-", stdin=io.BytesIO(b""))) == InputFailure("-", "stdin: empty file")
    assert "not valid UTF-8" in only_failure(read("-", stdin=io.BytesIO(b"caf\xe9"))).message
    big = only_failure(read("-", stdin=io.BytesIO(b"x" * 2000), max_bytes=1000))
    assert big.message == "stdin: 2.0 kB is over the 1.0 kB limit; raise it with --max-bytes"


def test_stdin_defaults_to_sys_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin:
        buffer = io.BytesIO(b"Depuis stdin.")

    monkeypatch.setattr("sys.stdin", FakeStdin())
    assert only_document(read("-")).text == "Depuis stdin."


def test_unreadable_subdirectory_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.txt", b"Lisible.")
    locked = str(tmp_path / "locked")
    real_walk = os.walk

    # Simulated, because permissions do not stop root (tests may run as root in CI).
    def walk_with_a_locked_directory(top: str, onerror: Callable[[OSError], None]) -> Iterator[object]:
        onerror(PermissionError(13, "Permission denied", locked))
        yield from real_walk(top, onerror=onerror)

    monkeypatch.setattr(os, "walk", walk_with_a_locked_directory)
    results = read(tmp_path)
    assert [type(r) for r in results] == [InputFailure, Document]
    assert results[0] == InputFailure(locked, f"{locked}: cannot read this directory (Permission denied)")
