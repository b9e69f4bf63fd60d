"""What the server does with a text, apart from HTTP: one Checker per rule selection (the model
is loaded once per process and shared), one check at a time per process, a time limit, and a
small cache of recent results.

Editors' clients send the same text again and again (a LibreOffice document re-checked
paragraph by paragraph, a browser field on every pause), so recent results are kept, keyed
by the sha256 of the text, source, reference and settings: the same request gives the same
answer, from the cache or not.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import anyio

from mtqa.api import Checker
from mtqa.config import Config
from mtqa.document import INTERNAL_ERROR, Document, InputFailure

CACHE_ENTRIES = 256
CACHE_MAX_CHARS = 200_000  # longer texts are not kept: the cache stays well under 100 MB


class CheckTimeout(Exception):
    pass


class NotChecked(ValueError):
    """The text could not be checked (not French), or mtqa failed on it (``internal``)."""

    def __init__(self, message: str, internal: bool = False) -> None:
        super().__init__(message)
        self.internal = internal


@dataclass(frozen=True)
class Selection:
    """The rule settings a request may change; the rest comes from the server's configuration."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    only: bool = False
    house_style: bool = False
    # The client says the text is French (LanguageTool's language=fr): check it even where it
    # reads as another language, instead of refusing it.
    as_french: bool = False


@dataclass
class Service:
    config: Config
    timeout: float = 30.0
    _checkers: dict[Selection, Checker] = field(default_factory=dict)
    _cache: OrderedDict[str, Document] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _limiter: anyio.CapacityLimiter | None = None

    def checker(self, selection: Selection) -> Checker:
        """A Checker for ``selection``; they share the process's one loaded model."""
        with self._lock:
            if selection not in self._checkers:
                base = self._checkers.get(Selection()) or Checker(self.config)
                self._checkers.setdefault(Selection(), base)
                if selection != Selection():
                    cfg = replace(
                        self.config,
                        select=(*self.config.select, *selection.select),
                        ignore=(*self.config.ignore, *selection.ignore),
                        only_selected=selection.only,
                        house_style=self.config.house_style or selection.house_style,
                        min_french_share=0.0 if selection.as_french else self.config.min_french_share,
                    )
                    self._checkers[selection] = Checker(cfg, scorer=base.scorer)
            return self._checkers[selection]

    def warm_up(self) -> None:
        """Load the rules and the model before the first request, not during it."""
        self.checker(Selection()).check(Document("warm-up", "Le gouvernement a présenté son budget lundi."))

    async def check(
        self,
        text: str,
        *,
        source: str | None = None,
        reference: str | None = None,
        selection: Selection = Selection(),
    ) -> Document:
        """The checked document, from the cache or checked in a worker thread within the time
        limit; NotChecked when mtqa cannot check it (not French)."""
        key = hashlib.sha256(
            json.dumps([text, source, reference, selection.__dict__], ensure_ascii=False).encode(
                "utf-8", errors="surrogatepass"
            )
        ).hexdigest()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(1)  # one check at a time: the model uses both cores

        def run() -> Document | InputFailure:
            doc = Document("text", text, source=source or None, reference=reference or None)
            return self.checker(selection).check_isolated(doc)

        try:
            with anyio.fail_after(self.timeout):
                result = await anyio.to_thread.run_sync(run, limiter=self._limiter, abandon_on_cancel=True)
        except TimeoutError:
            raise CheckTimeout(
                f"the check took longer than the server's limit of {self.timeout:g} s"
            ) from None
        if isinstance(result, InputFailure):
            raise NotChecked(result.message.removeprefix("text: "), internal=result.code == INTERNAL_ERROR)
        if len(text) <= CACHE_MAX_CHARS:
            with self._lock:
                self._cache[key] = result
                while len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        return result
