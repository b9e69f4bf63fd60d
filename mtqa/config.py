"""Settings: defaults, then ``[tool.mtqa]`` in pyproject.toml or an ``mtqa.toml``, then CLI flags.

Rule selection follows Ruff: codes or code prefixes in ``select`` turn rules on (also
rules that are off by default), ``ignore`` turns them off. ``house-style = true`` turns on
every house-style rule: typography and usage that French newsrooms disagree on.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtqa.checks.rulebook import Rule
from mtqa.document import Severity
from mtqa.limits import MAX_BYTES


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    fail_on: Severity | None = Severity.MAJOR  # None: never fail
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)  # per-code overrides
    encoding: str | None = None
    max_bytes: int = MAX_BYTES
    # Share of a document's sentences that must look French, or the input is rejected.
    min_french_share: float = 0.5
    model: bool = True  # run the quality-estimation model (``--no-model``: rules only)
    # The house-style preset: also flag what French newsrooms disagree on (see Rule.house_style).
    house_style: bool = False
    # Newsroom glossaries (``--glossary``, ``glossary =``): mtqa/glossary.py, MTQA020-021.
    glossary: tuple[Path, ...] = ()
    # CI gates (mtqa.gates): a document scoring below min_score, or with more than max_findings
    # findings, fails (exit code 1) whatever its findings' severity.
    min_score: float | None = None
    max_findings: int | None = None
    # Only the rules ``select`` names, none by default (LanguageTool's enabledOnly, mtqa serve).
    only_selected: bool = False
    # Findings accepted as they are (mtqa.baseline): only new ones are reported and fail.
    baseline: Path | None = None
    source: str = "defaults"

    def enabled(self, rule: Rule) -> bool:
        def hits(prefixes: tuple[str, ...]) -> bool:
            return any(rule.code.startswith(p.upper()) for p in prefixes)

        if hits(self.ignore):
            return False
        if self.only_selected:
            return hits(self.select)
        return rule.default_on or hits(self.select) or (self.house_style and rule.house_style)


def parse_fail_on(value: str) -> Severity | None:
    value = value.strip().lower()
    if value == "never":
        return None
    try:
        return Severity.parse(value)
    except KeyError:
        raise ConfigError(f"fail-on must be critical, major, minor or never, not {value!r}") from None


def check_min_score(value: object, where: str = "--min-score") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"{where}: min-score must be a number between 0 and 1, not {value!r}")
    return float(value)


def check_max_findings(value: object, where: str = "--max-findings") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{where}: max-findings must be a whole number, 0 or more, not {value!r}")
    return value


def with_options(
    cfg: Config,
    *,
    fail_on: str | None = None,
    select: str | None = None,
    ignore: str | None = None,
    encoding: str | None = None,
    max_bytes: int | None = None,
    house_style: bool = False,
    no_model: bool = False,
    glossary: list[Path] | tuple[Path, ...] | None = None,
    min_score: float | None = None,
    max_findings: int | None = None,
) -> Config:
    """Command-line flags over the file's settings: ``None`` (or False) leaves a setting as the
    file has it; ``select`` and ``ignore`` (comma-separated) add to the file's lists."""
    cfg.house_style = cfg.house_style or house_style
    cfg.model = cfg.model and not no_model
    if fail_on is not None:
        cfg.fail_on = parse_fail_on(fail_on)
    if select:
        cfg.select = (*cfg.select, *[c.strip() for c in select.split(",") if c.strip()])
    if ignore:
        cfg.ignore = (*cfg.ignore, *[c.strip() for c in ignore.split(",") if c.strip()])
    if encoding:
        cfg.encoding = encoding
    if max_bytes is not None:
        cfg.max_bytes = max_bytes
    if glossary:
        cfg.glossary = tuple(glossary)
    if min_score is not None:
        cfg.min_score = check_min_score(min_score)
    if max_findings is not None:
        cfg.max_findings = check_max_findings(max_findings)
    return cfg


def _from_table(table: dict[str, Any], source: str) -> Config:
    cfg = Config(source=source)
    known = {
        "fail-on", "select", "ignore", "severity", "encoding", "max-bytes", "min-french-share", "model",
        "house-style", "glossary", "min-score", "max-findings", "baseline",
    }  # fmt: skip
    unknown = set(table) - known
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(sorted(unknown))}")
    if "fail-on" in table:
        cfg.fail_on = parse_fail_on(str(table["fail-on"]))
    cfg.select = tuple(str(c) for c in table.get("select", ()))
    cfg.ignore = tuple(str(c) for c in table.get("ignore", ()))
    try:
        cfg.severity = {str(k).upper(): Severity.parse(str(v)) for k, v in table.get("severity", {}).items()}
    except KeyError as e:
        raise ConfigError(f"{source}: unknown severity {e}") from None
    cfg.encoding = table.get("encoding")
    cfg.max_bytes = int(table.get("max-bytes", cfg.max_bytes))
    cfg.min_french_share = float(table.get("min-french-share", cfg.min_french_share))
    cfg.model = bool(table.get("model", cfg.model))
    cfg.house_style = bool(table.get("house-style", cfg.house_style))
    if "min-score" in table:
        cfg.min_score = check_min_score(table["min-score"], source)
    if "max-findings" in table:
        cfg.max_findings = check_max_findings(table["max-findings"], source)
    if "baseline" in table:
        if not isinstance(table["baseline"], str) or not table["baseline"]:
            raise ConfigError(f"{source}: baseline must be a path")
        cfg.baseline = Path(source).parent / Path(table["baseline"]).expanduser()
    if "glossary" in table:
        # One path or a list, relative to the configuration file's folder.
        value = table["glossary"]
        paths = [value] if isinstance(value, str) else value
        if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
            raise ConfigError(f"{source}: glossary must be a path or a list of paths")
        folder = Path(source).parent
        cfg.glossary = tuple(folder / Path(p).expanduser() for p in paths)
    return cfg


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """The nearest ``mtqa.toml`` or ``pyproject.toml`` with a ``[tool.mtqa]`` table, or defaults."""
    if explicit is not None:
        return _read(explicit)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in ("mtqa.toml", "pyproject.toml"):
            path = folder / name
            if path.is_file():
                cfg = _read(path)
                if cfg.source != "defaults":
                    return cfg
    return Config()


def _read(path: Path) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: cannot read configuration: {e}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("mtqa")
        return Config() if table is None else _from_table(table, str(path))
    return _from_table(data.get("tool", {}).get("mtqa", data), str(path))
