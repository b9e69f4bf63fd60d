"""A batch's progress on stderr: a bar with the rate and the time left (rich), for people
watching a terminal. The CLI decides when to show it; nothing here decides what is checked."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")


def tracked(items: Iterable[T], total: int | None, console: Console | None = None) -> Iterator[T]:
    """Yield ``items`` while a progress bar counts them; ``total`` None: no bar length, no ETA.
    The bar is transient: it leaves the terminal as it found it."""
    console = console or Console(stderr=True)
    columns = [
        TextColumn("[bold]mtqa"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("check", total=total, rate="")
        for item in items:
            yield item
            bar.advance(task)
            speed = bar.tasks[0].speed
            if speed:
                bar.update(task, rate=f"{speed:.1f} articles/s")
