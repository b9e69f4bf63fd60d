"""mtqa.spark in PySpark's local mode: the same documents and error messages as ``mtqa check``,
in input order, from JSONL feeds, Parquet tables and DataFrames; exit codes; and one checker
per Python worker process. One Spark session serves the whole module (the JVM starts once)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark", reason="needs pyspark (the spark extra)")
pytest.importorskip("pandas", reason="needs pandas (the spark extra)")
pytest.importorskip("pyarrow", reason="needs pyarrow (the spark extra)")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Spark needs Java", allow_module_level=True)

import pandas as pd
from pyspark.sql import SparkSession
from test_cli import mtqa

from mtqa import spark as mspark
from mtqa.api import Checker
from mtqa.config import Config
from mtqa.document import Document, Severity
from mtqa.report.json_report import document_dict

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = (REPO / "mtqa" / "examples" / "article.txt").read_text(encoding="utf-8")
# Short French news texts written for these tests.
LYON = (
    "La mairie de Lyon a annoncé mardi l'ouverture de trois nouvelles bibliothèques de quartier "
    "d'ici la fin de l'année. Les travaux, financés par la métropole, doivent commencer au printemps."
)
BRETAGNE = (
    "Le conseil régional de Bretagne a voté jeudi un budget de 1,2 milliard d'euros, en légère hausse "
    "par rapport à l'an dernier.\n\nL'opposition a dénoncé un manque d'ambition sur les transports."
)
RESIGNED = "Le ministre de l'Intérieur s'est démissionné vendredi après une semaine de vives critiques."
BRIDGE = (
    "Le maire a inauguré samedi le nouveau pont sur la Loire, en présence de plusieurs centaines d'habitants."
)
BRIDGE_EN = (
    "The mayor opened the new bridge over the Loire on Saturday, watched by several hundred residents."
)
ENGLISH = "The minister resigned on Friday after a week of sharp criticism over the handling of the floods."


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """local[2], as small as Spark gets: no UI, two shuffle partitions. The executors' Python
    workers get this interpreter, the test cache (MTQA_HOME) and a trace of checker builds."""
    trace = tmp_path_factory.mktemp("spark") / "builds.txt"
    trace.touch()
    saved = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # read when the SparkContext starts
    session = (
        SparkSession.builder.master("local[2]")
        .appName("mtqa tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.executorEnv.MTQA_HOME", os.environ["MTQA_HOME"])
        .config("spark.executorEnv.MTQA_SPARK_TRACE", str(trace))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.trace = trace  # type: ignore[attr-defined]
    if saved is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = saved
    yield session
    session.stop()


def _write_feed(path: Path, lines: list[Any]) -> Path:
    """Records (dicts) become JSON lines; strings are written as they are (malformed lines)."""
    text = "".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines)
    path.write_text(text, encoding="utf-8")
    return path


def _read_output(folder: Path, fmt: str) -> list[dict[str, Any]]:
    """The rows as written: part files in name order, rows in file order."""
    if fmt == "parquet":
        frames = [pd.read_parquet(p) for p in sorted(folder.glob("part-*.parquet"))]
        return pd.concat(frames).to_dict("records") if frames else []
    return [
        json.loads(x) for p in sorted(folder.glob("part-*.json")) for x in p.read_text("utf-8").splitlines()
    ]


def _as_report(rows: list[dict[str, Any]]) -> tuple[list[Any], list[dict[str, str]]]:
    """The output rows as the JSON report's documents and errors lists."""
    documents = [json.loads(r["report"]) for r in rows if r["error"] is None]
    errors = [{"path": r["path"], "message": r["error"], "code": r["error_code"]} for r in rows if r["error"]]
    return documents, errors


def _cli_report(*args: str) -> tuple[dict[str, Any], int]:
    proc = mtqa("check", *args, "--format", "json")
    return json.loads(proc.stdout), proc.returncode


def test_feed_matches_mtqa_check_with_the_model(spark: Any, tmp_path: Path) -> None:
    feed = _write_feed(
        tmp_path / "feed.jsonl",
        [
            {"id": "exemple", "text": EXAMPLE},
            {"id": 7, "text": LYON},
            {"text": BRETAGNE},  # no id: named by its line number
            {"id": "pont", "text": BRIDGE, "source": BRIDGE_EN},
            "",  # blank: skipped, but it still counts as a line
            '{"id": "cassé", "text": "Le gouvernement a',
            {"id": "nombre", "text": 42},
            {"id": "anglais", "text": ENGLISH},
            {"id": "démission", "text": RESIGNED},
        ],
    )
    # The CLI runs meanwhile: one partition leaves it a core (both may build the model cache:
    # its files are written atomically).
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("MTQA_DEBUG", None)
    cli = subprocess.Popen(
        [sys.executable, "-m", "mtqa", "check", str(feed), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    out = tmp_path / "out.parquet"
    summary = mspark.run_job(str(feed), str(out), Config(), spark=spark, partitions=1)
    expected, code = json.loads(cli.communicate(timeout=300)[0].decode("utf-8")), cli.returncode
    rows = _read_output(out, "parquet")
    documents, errors = _as_report(rows)
    assert documents == expected["documents"]
    assert errors == expected["errors"]
    assert [r["row"] for r in rows] == [1, 2, 3, 4, 6, 7, 8, 9]  # input order, blank line 5 skipped
    assert [r["id"] for r in rows] == ["exemple", "7", "3", "pont", None, None, "anglais", "démission"]
    assert summary.exit_code == code == 2
    assert (summary.documents, summary.errors) == (5, 3)
    assert [e["message"] for e in expected["errors"]] == summary.first_errors
    assert any(s["score"] is not None for d in documents for s in d["sentences"])  # the model ran
    assert documents[3]["sentences"][0]["aligned_source"]  # the English source was aligned
    # The flat columns say what the report says.
    for row, doc in zip([r for r in rows if r["error"] is None], documents, strict=True):
        assert (row["path"], row["status"], row["score"], row["triage"]) == (
            doc["path"], doc["status"], doc["score"], doc["triage"],
        )  # fmt: skip
        flat = [{**f, "suggestions": list(f["suggestions"])} for f in row["findings"]]
        assert flat == [{**f, "sentence": s["index"]} for s in doc["sentences"] for f in s["findings"]]
    assert {r["error_code"] for r in rows if r["error"]} == {"input-error"}
    assert rows[-1]["status"] == "fail" and any(f["rule"] == "MTQA401" for f in rows[-1]["findings"])


def test_parquet_table_round_trip_to_jsonl(spark: Any, tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"id": "a", "text": LYON, "source": None, "reference": None},
        {"id": None, "text": RESIGNED, "source": None, "reference": None},  # named by its row number
        {"id": "c", "text": None, "source": None, "reference": None},
        {"id": "d", "text": BRIDGE, "source": BRIDGE_EN, "reference": BRIDGE},
        {"id": "e", "text": "   ", "source": None, "reference": None},
        {"id": "f", "text": ENGLISH, "source": None, "reference": None},
    ]
    table = tmp_path / "articles.parquet"
    pd.DataFrame(records).to_parquet(table)
    feed = _write_feed(tmp_path / "articles.jsonl", records)
    out = tmp_path / "out.jsonl"
    summary = mspark.run_job(str(table), str(out), Config(model=False), spark=spark)
    rows = _read_output(out, "jsonl")
    expected, code = _cli_report(str(feed), "--no-model")
    documents, errors = _as_report(rows)
    rename = str(feed), str(table)
    assert documents == json.loads(json.dumps(expected["documents"]).replace(*rename))
    assert errors == json.loads(json.dumps(expected["errors"]).replace(*rename))
    assert [r["row"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r["path"] for r in rows[:3]] == [f"{table}#a", f"{table}#2", f"{table}:3"]
    assert rows[2]["error"].endswith('"text" must be a string, got null')
    assert set(rows[0]) == set(mspark.OUTPUT_COLUMNS)  # nulls are written, not dropped
    assert summary.exit_code == code == 2


def test_folder_of_feeds_blank_and_odd_lines(spark: Any, tmp_path: Path) -> None:
    """Several files, each a feed named as ``mtqa check FOLDER`` names it; an empty and a blank
    feed; a BOM; bytes that are not UTF-8; a line over the line cap (8 × max-bytes + 1 MiB)."""
    folder = tmp_path / "feeds"
    folder.mkdir()
    _write_feed(folder / "a.jsonl", [{"id": 1, "text": LYON}, {"id": 2, "text": "x" * 5000}])
    (folder / "b.jsonl").write_bytes(
        b"\xef\xbb\xbf"
        + json.dumps({"text": BRETAGNE}).encode()
        + b"\r\n"
        + b'{"text": "Le ministre a d\xe9missionn\xe9."}\n'
        + b'{"text": "'
        + b"a" * (8 * 4000 + (1 << 20))
        + b'"}\n'
        + json.dumps({"text": RESIGNED}, ensure_ascii=False).encode()  # no final newline
    )
    (folder / "c.jsonl").write_text("\n  \n\u00a0\n", encoding="utf-8")  # blank lines only
    (folder / "d.jsonl").write_text("", encoding="utf-8")
    (folder / "sub").mkdir()  # walked too, and its files come before "sub-x.jsonl", as in mtqa check
    _write_feed(folder / "sub" / "e.jsonl", [{"id": "e", "text": BRIDGE}])
    _write_feed(folder / "sub-x.jsonl", [{"id": "x", "text": RESIGNED}])
    out = tmp_path / "out.parquet"
    summary = mspark.run_job(str(folder), str(out), Config(model=False, max_bytes=4000), spark=spark)
    rows = _read_output(out, "parquet")
    expected, code = _cli_report(str(folder), "--no-model", "--max-bytes", "4000")
    assert _as_report(rows) == (expected["documents"], expected["errors"])
    assert [r["path"] for r in rows] == [
        f"{folder}/a.jsonl#1", f"{folder}/a.jsonl:2", f"{folder}/b.jsonl#1", f"{folder}/b.jsonl:2",
        f"{folder}/b.jsonl:3", f"{folder}/b.jsonl#4", f"{folder}/c.jsonl", f"{folder}/d.jsonl",
        f"{folder}/sub/e.jsonl#e", f"{folder}/sub-x.jsonl#x",
    ]  # fmt: skip
    assert summary.exit_code == code == 2


def test_a_feed_split_over_partitions_keeps_its_line_numbers(spark: Any, tmp_path: Path) -> None:
    """Spark reads a large feed as several splits: lines are still numbered as in the file."""
    texts = [LYON, BRETAGNE, RESIGNED, BRIDGE]
    records: list[Any] = []
    for i in range(24):
        records.append({"text": texts[i % 4]} if i % 3 else {"id": f"n{i}", "text": texts[i % 4]})
        if i % 7 == 0:
            records += ["", '{"text": "Le gouvernement a']  # a blank and a malformed line
    feed = _write_feed(tmp_path / "long.jsonl", records)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "512")
    try:
        assert spark.read.text(str(feed)).rdd.getNumPartitions() >= 6
        out = tmp_path / "out.parquet"
        mspark.run_job(str(feed), str(out), Config(model=False), spark=spark, partitions=3)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    rows = _read_output(out, "parquet")
    expected, _ = _cli_report(str(feed), "--no-model")
    assert _as_report(rows) == (expected["documents"], expected["errors"])
    assert len(list(out.glob("part-*.parquet"))) == 3


def test_spark_check_command_exit_codes(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = _write_feed(tmp_path / "feed.jsonl", [{"id": "a", "text": LYON}, {"id": "b", "text": RESIGNED}])
    out = tmp_path / "out.parquet"
    # A major finding: 1 by default, 0 when only critical findings fail (as mtqa check).
    assert mspark.main([str(feed), str(out), "--no-model"]) == 1
    assert mtqa("check", str(feed), "--no-model").returncode == 1
    assert "1 major" in capsys.readouterr().out
    assert mspark.main([str(feed), str(out), "--no-model"]) == 2  # the output exists
    assert "already exists" in capsys.readouterr().err
    assert mspark.main([str(feed), str(out), "--no-model", "--fail-on", "critical", "--overwrite"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "2 articles checked, 0 errors" in captured.out
    # Usage errors: one line, exit code 2, before any Spark work.
    assert mspark.main([str(feed), str(tmp_path / "out.csv")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"mtqa: error: {tmp_path / 'out.csv'}: cannot tell the output format; "
        "pass --output-format jsonl or parquet"
    )
    assert mspark.main([str(feed), str(tmp_path / "o.parquet"), "--fail-on", "sometimes"]) == 2
    assert "fail-on must be" in capsys.readouterr().err


def test_a_bad_input_path_is_one_line_without_spark(tmp_path: Path) -> None:
    # Through the mtqa command, as a user runs it, and as spark-submit runs the module.
    missing, out = tmp_path / "missing.jsonl", tmp_path / "out.parquet"
    proc = mtqa("spark-check", str(missing), str(out))
    assert (proc.returncode, proc.stderr) == (2, f"mtqa: error: {missing}: no such file or directory\n")
    proc = subprocess.run(
        [sys.executable, "-m", "mtqa.spark", str(missing), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (proc.returncode, proc.stderr) == (2, f"mtqa: error: {missing}: no such file or directory\n")
    assert not out.exists()


def test_spark_check_help_lists_its_options() -> None:
    proc = mtqa("spark-check", "--help")
    assert proc.returncode == 0
    assert (
        "usage: mtqa spark-check" in proc.stdout
        and "--master" in proc.stdout
        and "--overwrite" in proc.stdout
    )
    assert "spark-check" in mtqa("--help").stdout


def test_dataframe_api_keeps_order_and_builds_one_checker_per_worker(spark: Any) -> None:
    # A config no other test uses, so that every build in the trace during this job is ours.
    config = Config(model=False, select=("MTQA016",))
    texts = [LYON, BRETAGNE, RESIGNED, BRIDGE, ENGLISH, EXAMPLE] * 4
    rows = [
        (f"k{i}" if i != 5 else None, text, BRIDGE_EN if text == BRIDGE else None)
        for i, text in enumerate(texts)
    ]
    df = spark.createDataFrame(
        spark.sparkContext.parallelize(rows, 8), "key string, body string, english string"
    )
    before = spark.trace.read_text().split()
    out = mspark.check_dataframe(
        df, config, text_col="body", source_col="english", id_col="key", name="dépêches"
    )
    result = out.collect()
    builds = spark.trace.read_text().split()[len(before) :]
    # Eight tasks, two cores: each worker process built its checker once and kept it.
    assert 1 <= len(builds) <= 2 and len(set(builds)) == len(builds)
    assert [r["row"] for r in result] == list(range(1, 25))
    assert [r["id"] for r in result] == [f"k{i}" if i != 5 else "6" for i in range(24)]
    checker = Checker(config)
    for row, (key, text, source) in zip(result, rows, strict=True):
        name = f"dépêches#{key or '6'}"
        expected = checker.check_isolated(Document(name, text, source=source))
        if isinstance(expected, Document):
            assert json.loads(row["report"]) == document_dict(expected)
        else:
            assert (row["path"], row["error"], row["status"]) == (expected.path, expected.message, "error")


def test_exit_code_follows_fail_on_gates_and_errors() -> None:
    def code(fail_on: Severity | None, **counts: Any) -> int:
        return mspark.exit_code(mspark.JobSummary("in", "out", "parquet", **counts), Config(fail_on=fail_on))

    major = {"critical": 0, "major": 1, "minor": 3}
    assert code(Severity.MAJOR, findings=major) == 1
    assert code(Severity.CRITICAL, findings=major) == 0
    assert code(None, findings=major) == 0
    assert code(Severity.MINOR, findings={"minor": 1}) == 1
    assert code(Severity.CRITICAL, findings=major, gates_failed=1) == 1
    assert code(None, findings={}, errors=1) == 2


def test_names_follow_mtqa_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "feeds" / "sub").mkdir(parents=True)
    for name in ("one.jsonl", "sub/two.jsonl"):
        (tmp_path / "feeds" / name).write_text("{}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    uris = [(tmp_path / "feeds" / n).as_uri() for n in ("one.jsonl", "sub/two.jsonl")]
    assert list(mspark._names("feeds", uris).values()) == ["feeds/one.jsonl", "feeds/sub/two.jsonl"]
    assert list(mspark._names("feeds/*.jsonl", uris[:1]).values()) == ["feeds/one.jsonl"]
    assert list(mspark._names("feeds/one.jsonl", uris[:1]).values()) == ["feeds/one.jsonl"]
    assert mspark._names("hdfs://nn/feeds", ["hdfs://nn/feeds/a.jsonl"]) == {
        "hdfs://nn/feeds/a.jsonl": "hdfs://nn/feeds/a.jsonl"
    }
    with pytest.raises(mspark.SparkJobError, match="no such file or directory"):
        mspark.run_job("feeds/*.json", "out.parquet")
