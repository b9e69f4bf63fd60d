"""The rule checks. Each check turns a segmented Document into Findings and knows
nothing of output formats. Code-backed checks register here by the name their
rules give in ``check:``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from mtqa.checks.rulebook import PIPELINE, Rule, all_rules
from mtqa.document import Document, Finding

if TYPE_CHECKING:
    from mtqa.glossary import Glossary


class Check(Protocol):
    name: str

    def run(self, doc: Document) -> Iterable[Finding]: ...


def _registry() -> dict[str, Callable[[list[Rule]], Check]]:
    # Imported here so that a check's heavy resources load only when it is used.
    from mtqa.checks.agreement import AgreementCheck
    from mtqa.checks.alignment import AlignmentCheck
    from mtqa.checks.capitals import CapitalsCheck
    from mtqa.checks.dropped import DroppedCheck
    from mtqa.checks.glossary import GlossaryCheck
    from mtqa.checks.language import UntranslatedCheck
    from mtqa.checks.layout import CreditCheck, QuoteBalanceCheck
    from mtqa.checks.nonword import GluedWordsCheck, NonWordCheck
    from mtqa.checks.patterns import PatternCheck
    from mtqa.checks.pronominal import PronominalCheck
    from mtqa.checks.si_tense import SiTenseCheck
    from mtqa.checks.source import SourceCheck

    return {
        "agreement": AgreementCheck,
        "alignment": AlignmentCheck,
        "capitals": CapitalsCheck,
        "dropped": DroppedCheck,
        "pattern": PatternCheck,
        "untranslated": UntranslatedCheck,
        "pronominal": PronominalCheck,
        "nonword": NonWordCheck,
        "glued-words": GluedWordsCheck,
        "quotes": QuoteBalanceCheck,
        "credit": CreditCheck,
        "source": SourceCheck,
        "si-tense": SiTenseCheck,
        "glossary": GlossaryCheck,
    }


def build_checks(enabled: Callable[[Rule], bool], glossary: Glossary | None = None) -> list[Check]:
    """One instance per check family, given only its enabled rules (and the glossary check,
    the loaded glossary: ``mtqa.glossary``)."""
    by_check: dict[str, list[Rule]] = {}
    for rule in all_rules():
        if enabled(rule) and rule.check not in ("model", PIPELINE):  # emitted by the scorer, the pipeline
            by_check.setdefault(rule.check, []).append(rule)
    registry = _registry()
    registry["glossary"] = functools.partial(registry["glossary"], glossary=glossary)
    unknown = set(by_check) - set(registry)
    if unknown:
        raise ValueError(f"rules name unknown checks: {', '.join(sorted(unknown))}")
    return [registry[name](rules) for name, rules in sorted(by_check.items())]
