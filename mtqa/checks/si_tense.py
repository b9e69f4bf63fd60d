"""« Si » + future or conditional (MTQA403): « Si aucun candidat n'obtiendra 50 % ».

A conditional « si » takes the present (or the imperfect), never the future or the
conditional; MT copies the English "will". The same « si » introducing an indirect
question (« on ignore s'il viendra ») rightly takes any tense, so only the positions where
the conditional reading is near certain are checked: the start of a sentence, or after a
comma or « et » when nothing earlier in the sentence can govern an indirect question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mtqa import lexicon
from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding

# Sentence start (after an opening quote or dash), or after a comma or « et ».
_SI = re.compile(r"(?:^[\W_]*|,\s+|\bet\s+)(?P<si>si\b|s['’](?=ils?\b))", re.IGNORECASE)
# « si bien que », « si besoin », « si ce n'est »: not a conditional clause.
_FIXED = re.compile(r"\s*(?:bien|tant|peu|besoin|nécessaire|possible|ce n['’]est|oui|non)\b", re.IGNORECASE)
# The clause ends at punctuation or a subordinate (« Si les électeurs qui voteront… »).
_CLAUSE_END = re.compile(r"[,;:.!?«»()–—]|\b(?:qui|que|qu['’]|dont|où|lorsque|quand|alors|comme)\b", re.I)
# Lemmas and words that can govern an indirect question earlier in the sentence.
_QUESTION_LEMMAS = {
    "savoir", "demander", "ignorer", "dire", "préciser", "indiquer", "déterminer", "décider", "voir",
    "vérifier", "examiner", "interroger", "question", "incertain", "évaluer", "clarifier", "confirmer",
    "expliquer", "juger", "douter", "doute", "trancher", "établir", "connaître", "se demander", "inconnu",
    "incertitude", "pas clair", "sûr", "certain", "étudier", "regarder", "deviner", "prédire", "demande",
}  # fmt: skip
_QUESTION_WORDS = re.compile(r"\b(?:quand|comment|pourquoi|combien|où|quel(?:le)?s?|ni)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Journalistic concessive « si » (= "while") may take a future: « Si la réforme sera votée,
# son application reste incertaine ». Its main clause usually says what stands against it.
_CONCESSIVE = re.compile(
    r"\b(?:toutefois|pourtant|néanmoins|cependant|en revanche|pour autant|en tout cas"
    r"|n['’]en (?:reste|demeure)|il reste que|reste (?:à|incertaine?s?|floue?s?))\b",
    re.IGNORECASE,
)


def _future_or_conditional(word: str) -> bool:
    """Every DELA reading of the word is a future (F) or conditional (C) verb form."""
    found = lexicon.analyses(word) or lexicon.analyses(word.lower())
    tenses = [f for _, p, f in found if p == "V"]
    if not found or len(tenses) != len(found):
        return False
    return all(all(t[:1] in "FC" for t in f.split(":")) for f in tenses)


def _governed(before: str) -> bool:
    """Something earlier in the sentence may make this « si » an indirect question."""
    if _QUESTION_WORDS.search(before):
        return True
    for word in _WORD.findall(before):
        if word.lower() in _QUESTION_LEMMAS or lexicon.lemmas(word) & _QUESTION_LEMMAS:
            return True
    return False


class SiTenseCheck:
    name = "si-tense"

    def __init__(self, rules: list[Rule]) -> None:
        self.rule = rules[0]

    def run(self, doc: Document) -> Iterator[Finding]:
        for sentence in doc.sentences:
            yield from self._sentence(doc, sentence.start, sentence.text)

    def _sentence(self, doc: Document, offset: int, text: str) -> Iterator[Finding]:
        for m in _SI.finditer(text):
            after = text[m.end("si") :]
            if _FIXED.match(after) or (m.start("si") > 0 and _governed(text[: m.start("si")])):
                continue
            end = _CLAUSE_END.search(after)
            clause = after[: end.start() if end else len(after)]
            if _CONCESSIVE.search(after[len(clause) :]):
                continue
            for w in _WORD.finditer(clause):
                if _future_or_conditional(w.group()):
                    start = offset + m.end("si") + w.start()
                    end_at = offset + m.end("si") + w.end()
                    word = doc.text[start:end_at]
                    message = self.rule.message.replace("{match}", word)
                    yield Finding(self.rule.code, self.rule.category, self.rule.severity, start, end_at,
                                  word, message, self.rule.suggestions)  # fmt: skip
                    break
