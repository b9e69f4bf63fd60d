"""The pre-commit hook (.pre-commit-hooks.yaml), run by the real pre-commit in throwaway git repos.

The hooks repository is a copy of this working tree, uncommitted and new files included,
committed in a temporary repo whose commit is the `rev:`. One hook environment (a virtualenv
with mtqa and its dependencies: the slow part, about 30 s with a warm pip cache) is installed
once for the module and reused by every case, each in its own fresh project repo.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CLEAN = (
    "Le conseil municipal a voté lundi soir le budget de la ville pour l'an prochain.\n\n"
    "La maire a promis de rénover deux écoles et d'ouvrir une nouvelle bibliothèque avant l'été.\n"
)
MAJOR = "# Politique\n\nLe ministre a quitté le gouvernement. Il s'est démissionné hier.\n"
FIXED = "# Politique\n\nLe ministre a quitté le gouvernement. Il a démissionné hier.\n"
PAGE = (
    "<!doctype html><html><head><title>Budget</title></head><body><article>"
    "<p>Le conseil municipal a voté lundi soir le budget de la ville.</p></article></body></html>\n"
)


def _pre_commit() -> list[str] | None:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    return [found] if found else None


PRE_COMMIT = _pre_commit()

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.skipif(PRE_COMMIT is None, reason="needs pre-commit (pip install pre-commit)"),
]

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """No git or pre-commit settings from the caller (a global core.hooksPath, signing, a hook
    that runs this suite); pre-commit's store in a temporary folder. PIP_* pass through."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT")) and k != "SKIP"}
    return {
        **clean,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "mtqa tests",
        "GIT_AUTHOR_EMAIL": "tests@mtqa.invalid",
        "GIT_COMMITTER_NAME": "mtqa tests",
        "GIT_COMMITTER_EMAIL": "tests@mtqa.invalid",
    }


@pytest.fixture(scope="module")
def run(env: dict[str, str]) -> Run:
    def run(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)

    return run


def _git_init(path: Path, run: Run) -> None:
    path.mkdir()
    run("git", "-c", "init.defaultBranch=main", "init", "-q", cwd=path).check_returncode()


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory, run: Run) -> tuple[Path, str]:
    """This working tree as it is now, as a git repo: (path, commit)."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    listed.check_returncode()
    repo = tmp_path_factory.mktemp("hooks") / "mtqa"
    _git_init(repo, run)
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():  # a tracked file deleted in the working tree is left out
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    run("git", "add", "-A", cwd=repo).check_returncode()
    run("git", "commit", "-q", "--no-verify", "-m", "working tree", cwd=repo).check_returncode()
    head = run("git", "rev-parse", "HEAD", cwd=repo)
    head.check_returncode()
    return repo, head.stdout.strip()


@pytest.fixture(scope="module")
def new_project(
    tmp_path_factory: pytest.TempPathFactory, run: Run, hooks_repo: tuple[Path, str]
) -> Callable[[], Path]:
    """Makes an empty git repo whose .pre-commit-config.yaml uses the mtqa hook with its default args."""
    repo, rev = hooks_repo
    config = f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: mtqa\n"

    def new_project() -> Path:
        project = tmp_path_factory.mktemp("project") / "news"
        _git_init(project, run)
        (project / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
        return project

    return new_project


@pytest.fixture(scope="module")
def installed(new_project: Callable[[], Path], run: Run) -> None:
    """Install the hook environment once: every project below has the same config, so reuses it."""
    started = time.monotonic()
    done = run(*PRE_COMMIT, "install-hooks", cwd=new_project(), timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    print(f"\npre-commit install-hooks (mtqa and its dependencies): {time.monotonic() - started:.1f} s")


def _stage(project: Path, run: Run, files: dict[str, str]) -> None:
    for name, text in files.items():
        (project / name).write_text(text, encoding="utf-8")
    run("git", "add", "--", *files, cwd=project).check_returncode()


def _pre_commit_run(project: Path, run: Run) -> subprocess.CompletedProcess[str]:
    # --verbose shows mtqa's report even when the hook passes; the staged files only (no --all-files).
    return run(*PRE_COMMIT, "run", "--color", "never", "--verbose", cwd=project)


def test_the_manifest_is_valid(run: Run) -> None:
    done = run(*PRE_COMMIT, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml"), cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.usefixtures("installed")
def test_a_clean_french_article_passes(new_project: Callable[[], Path], run: Run) -> None:
    project = new_project()
    _stage(project, run, {"conseil.txt": CLEAN})
    done = _pre_commit_run(project, run)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout
    assert "conseil.txt  pass" in done.stdout


@pytest.mark.usefixtures("installed")
def test_a_major_finding_fails_with_its_rule_code(new_project: Callable[[], Path], run: Run) -> None:
    project = new_project()
    _stage(project, run, {"conseil.txt": CLEAN, "politique.md": MAJOR})
    done = _pre_commit_run(project, run)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert "- exit code: 1" in done.stdout
    assert "MTQA401" in done.stdout
    assert "politique.md  fail" in done.stdout


@pytest.mark.usefixtures("installed")
def test_only_txt_md_and_html_files_reach_mtqa_in_one_run(new_project: Callable[[], Path], run: Run) -> None:
    project = new_project()
    # The .py file holds the same error as MAJOR: were it passed to mtqa, the hook would fail.
    code = 'NOTE = "Il s\'est démissionné hier."\n'
    _stage(project, run, {"a.txt": CLEAN, "b.md": FIXED, "c.html": PAGE, "D.HTM": PAGE, "e.py": code})
    done = _pre_commit_run(project, run)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("a.txt", "b.md", "c.html", "D.HTM"):
        assert f"{name}  pass" in done.stdout
    assert "e.py" not in done.stdout
    assert "4 document(s)" in done.stdout  # require_serial: one mtqa process, one report

    only_python = new_project()
    _stage(only_python, run, {"e.py": code})
    done = _pre_commit_run(only_python, run)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(no files to check)Skipped" in done.stdout


@pytest.mark.usefixtures("installed")
def test_a_file_named_like_an_option_is_checked(new_project: Callable[[], Path], run: Run) -> None:
    project = new_project()
    _stage(project, run, {"-x.txt": MAJOR})
    done = _pre_commit_run(project, run)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "-x.txt  fail" in done.stdout and "MTQA401" in done.stdout


@pytest.mark.usefixtures("installed")
def test_an_unreadable_article_fails_with_exit_code_2(new_project: Callable[[], Path], run: Run) -> None:
    project = new_project()
    _stage(project, run, {"vide.txt": "", "conseil.txt": CLEAN})
    done = _pre_commit_run(project, run)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "- exit code: 2" in done.stdout
    assert "mtqa: error: vide.txt: empty file" in done.stdout
    assert "conseil.txt  pass" in done.stdout  # the other article is still checked


@pytest.mark.usefixtures("installed")
def test_the_git_hook_refuses_the_commit_until_the_article_is_fixed(
    new_project: Callable[[], Path], run: Run
) -> None:
    project = new_project()
    done = run(*PRE_COMMIT, "install", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    _stage(project, run, {"politique.md": MAJOR})
    refused = run("git", "commit", "-q", "-m", "article", cwd=project)
    assert refused.returncode != 0
    assert "MTQA401" in refused.stdout + refused.stderr
    assert run("git", "rev-parse", "--verify", "-q", "HEAD", cwd=project).returncode != 0  # no commit

    _stage(project, run, {"politique.md": FIXED})
    accepted = run("git", "commit", "-q", "-m", "article", cwd=project)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert run("git", "rev-parse", "--verify", "-q", "HEAD", cwd=project).returncode == 0
