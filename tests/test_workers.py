"""``--jobs``: worker processes keep the input order and lose no document, even when one dies."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import pytest

from mtqa import workers
from mtqa.api import Checker
from mtqa.config import Config
from mtqa.document import Document, InputFailure

SENTENCES = [
    "Le ministre a présenté mardi la réforme des retraites devant les députés.",
    "Le ministre s'est démissionné hier soir après la publication du rapport.",
    "La ville a inauguré un nouveau pont sur la Loire, après trois ans de travaux.",
    "Les troupes russes ont perdu le nombre face aux soldats ukrainiens dans la région.",
]
CRASH = "ARRÊT BRUTAL"  # a text that kills the worker checking it (see ``_crashing``)


def _feed(folder: Path, crash_at: tuple[int, ...] = ()) -> None:
    folder.mkdir()
    for n in range(24):
        text = SENTENCES[n % len(SENTENCES)] + f" Article {n}.\n"
        if n in crash_at:
            text = f"{CRASH} : ce texte tue le processus qui le lit.\n"
        (folder / f"{n:02d}.txt").write_text(text, encoding="utf-8")
    (folder / "07.txt").write_bytes(b"\x00\x01 binaire")  # an input failure between documents


def _summary(items: list[Document | InputFailure]) -> list[tuple[str, str]]:
    return [
        (Path(i.path).name, i.message if isinstance(i, InputFailure) else repr([f.rule for f in i.findings]))
        for i in items
    ]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "BATCH_CHARS", 200)  # a few documents a batch: many batches


def test_many_batches_come_back_in_input_order(tmp_path: Path, small_batches: None) -> None:
    _feed(tmp_path / "feed")
    checker = Checker(Config(model=False))
    one = _summary(list(checker.iter_checked([str(tmp_path / "feed")])))
    two = _summary(list(checker.iter_checked([str(tmp_path / "feed")], jobs=2)))
    assert two == one
    assert len(one) == 24 and "binary" in one[7][1]
    assert "MTQA" in one[1][1]  # « s'est démissionné » is flagged in a worker as in the parent


def _crashing(original: Callable[[Checker, Document], Document]) -> Callable[[Checker, Document], Document]:
    def check(self: Checker, doc: Document) -> Document:
        if CRASH in doc.text:
            os._exit(1)  # as the kernel's out-of-memory killer would: no exception, no cleanup
        return original(self, doc)

    return check


def test_a_worker_that_dies_loses_only_the_document_that_killed_it(
    tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _feed(tmp_path / "feed", crash_at=(3, 15))
    # Forked workers inherit the patched method; the parent never checks a document itself.
    monkeypatch.setattr(Checker, "check", _crashing(Checker.check))
    items = list(Checker(Config(model=False)).iter_checked([str(tmp_path / "feed")], jobs=2))
    assert [Path(i.path).name for i in items] == [f"{n:02d}.txt" for n in range(24)]
    failed = {Path(i.path).name: i.message for i in items if isinstance(i, InputFailure)}
    assert set(failed) == {"03.txt", "07.txt", "15.txt"}
    assert "worker process died" in failed["03.txt"] and "worker process died" in failed["15.txt"]
    assert all(isinstance(i, Document) and i.sentences for i in items if Path(i.path).name not in failed)


def _unpicklable_result(
    original: Callable[[Checker, Document], Document],
) -> Callable[[Checker, Document], Document]:
    def check(self: Checker, doc: Document) -> Document:
        checked = original(self, doc)
        if CRASH in doc.text:
            checked.reference_metrics = {"metric": lambda: 0.0}  # a lambda cannot be pickled
        return checked

    return check


def test_a_result_that_cannot_come_back_fails_alone(
    tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _feed(tmp_path / "feed", crash_at=(5,))
    monkeypatch.setattr(Checker, "check", _unpicklable_result(Checker.check))
    items = list(Checker(Config(model=False)).iter_checked([str(tmp_path / "feed")], jobs=2))
    failed = {Path(i.path).name: i.message for i in items if isinstance(i, InputFailure)}
    assert set(failed) == {"05.txt", "07.txt"} and "internal error in a worker process" in failed["05.txt"]
    assert len(items) == 24


@pytest.mark.parametrize(("model", "largest"), [(False, 3), (True, 1)])
def test_batches_are_single_articles_when_the_model_checks(
    tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch, model: bool, largest: int
) -> None:
    """With the model an article is worth a task of its own: a small feed spreads over every worker."""
    _feed(tmp_path / "feed")
    sizes: list[int] = []
    submit = workers._Pool.submit

    def spy(self: workers._Pool, docs: list[Document]) -> tuple[int, Future]:
        sizes.append(len(docs))
        return submit(self, docs)

    monkeypatch.setattr(workers._Pool, "submit", spy)
    checker = Checker(Config(model=False))
    checker.config.model = model  # the batching follows the setting; the rules alone check here
    items = list(checker.iter_checked([str(tmp_path / "feed")], jobs=2))
    assert len(items) == 24 and sum(sizes) == 23  # 07.txt is not text: never sent
    assert max(sizes) == largest
