"""Agreement that MT gets wrong: determiner and noun, past participles (MTQA406-MTQA408),
a verb's person after a subject pronoun and a participle straight after « se »
(MTQA411-MTQA412).

MT builds French one word at a time from a language whose articles and participles carry no
gender or number (English, Indonesian), so it writes « une dernier bilan », « ils ont
présentés leurs résultats », « ils se sont affronté ». Every word's gender, number and part
of speech come from the DELA lexicon. A word DELA does not know, or reads in a way that
could make the sequence correct (« la porte » pronoun + verb), is never flagged: these
rules only speak where every reading of the words disagrees.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from mtqa import lexicon
from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding

# Words, elided words (« l’ », « qu’ ») and single punctuation marks, in order. A middle dot
# joins a word in inclusive writing (« les candidat·es »), which is one word, not two.
_TOKEN = re.compile(r"[^\W\d_]+['’]|[^\W\d_]+(?:[-·][^\W\d_]+)*|\d+|[^\w\s]")

# Determiner → (genders, numbers) it can take, and its family, to suggest the agreeing one.
_DETERMINERS: dict[str, tuple[str, str, str]] = {
    "le": ("m", "s", "le"), "la": ("f", "s", "le"), "les": ("mf", "p", "le"),
    "un": ("m", "s", "un"), "une": ("f", "s", "un"), "des": ("mf", "p", "un"),
    "du": ("m", "s", "du"), "au": ("m", "s", "au"), "aux": ("mf", "p", "au"),
    "ce": ("m", "s", "ce"), "cet": ("m", "s", "ce"), "cette": ("f", "s", "ce"), "ces": ("mf", "p", "ce"),
    "mon": ("m", "s", "mon"), "ma": ("f", "s", "mon"), "mes": ("mf", "p", "mon"),
    "ton": ("m", "s", "ton"), "ta": ("f", "s", "ton"), "tes": ("mf", "p", "ton"),
    "son": ("m", "s", "son"), "sa": ("f", "s", "son"), "ses": ("mf", "p", "son"),
    "notre": ("mf", "s", "notre"), "nos": ("mf", "p", "notre"),
    "votre": ("mf", "s", "votre"), "vos": ("mf", "p", "votre"),
    "leur": ("mf", "s", "leur"), "leurs": ("mf", "p", "leur"),
    "plusieurs": ("mf", "p", ""), "quelques": ("mf", "p", ""),
}  # fmt: skip
_AGREEING = {  # family → {(gender, number): determiner}
    "le": {("m", "s"): "le", ("f", "s"): "la", ("m", "p"): "les", ("f", "p"): "les"},
    "un": {("m", "s"): "un", ("f", "s"): "une", ("m", "p"): "des", ("f", "p"): "des"},
    "du": {("m", "s"): "du", ("f", "s"): "de la", ("m", "p"): "des", ("f", "p"): "des"},
    "au": {("m", "s"): "au", ("f", "s"): "à la", ("m", "p"): "aux", ("f", "p"): "aux"},
    "ce": {("m", "s"): "ce", ("f", "s"): "cette", ("m", "p"): "ces", ("f", "p"): "ces"},
    **{
        f: {("m", "s"): f, ("f", "s"): f[0] + "a", ("m", "p"): f[0] + "es", ("f", "p"): f[0] + "es"}
        for f in ("mon", "ton", "son")
    },
    "notre": {(g, n): "notre" if n == "s" else "nos" for g in "mf" for n in "sp"},
    "votre": {(g, n): "votre" if n == "s" else "vos" for g in "mf" for n in "sp"},
    "leur": {(g, n): "leur" if n == "s" else "leurs" for g in "mf" for n in "sp"},
}
# Nouns of office and trade that newsrooms write with a feminine article for a woman even
# where DELA lists only the masculine (« la chef de l’État », « la procureur », « la numéro un »).
_EPICENE_IN_USE = frozenset(
    """auteur chef docteur écrivain ingénieur magistrat maire médecin numéro procureur professeur
    recteur""".split()
)

_NUMBERED = frozenset("numéro page chapitre article acte tome titre livre n°".split())
_AVOIR = frozenset(
    "ai as a avons avez ont avais avait avions aviez avaient aurai auras aura aurons aurez auront "
    "aurais aurait aurions auriez auraient aie aies ait ayons ayez aient eut eurent avoir ayant".split()
)
_ADVERBS = frozenset(
    "pas plus jamais déjà aussi également bien toujours encore notamment finalement récemment enfin "
    "ensuite alors donc même vraiment souvent rarement longtemps tout beaucoup peu".split()
)
# A direct object before the auxiliary makes the participle agree: « les mesures qu'il a
# prises », « il les a vues », « quelles décisions a-t-il prises ».
_OBJECT_BEFORE = frozenset(
    "que qu' qu’ quel quelle quels quelles lequel laquelle lesquels lesquelles combien".split()
)
_CLAUSE_BREAKS = frozenset(',;:.!?()«»–—"')
_OBJECT_CLITICS = frozenset("le les la l' l’ nous vous me m' m’ te t’ t'".split())
_PRONOUN_DETERMINERS = _OBJECT_CLITICS | {"leur"}  # « le jugeant », « leur accordant »
_NOUN_PHRASE_START = frozenset(_DETERMINERS) | {"l'", "l’"}
# Third-person plural forms of « être » (and « ont été »): the subject is plural.
_PLURAL_ETRE = frozenset("sont étaient seront seraient soient furent fussent".split())
_PLURAL_AVOIR = frozenset("ont avaient auront auraient aient eurent".split())
_PLURAL = _PLURAL_ETRE | _PLURAL_AVOIR
# Reflexives whose pronoun is an indirect object (« ils se sont parlé »), and verbs that
# take an infinitive (« ils se sont vu refuser »): their participle stays invariable.
_INVARIABLE_REFLEXIVE = frozenset(
    """
    parler succéder nuire plaire déplaire complaire sourire mentir ressembler suffire survivre
    téléphoner écrire dire demander donner promettre permettre rendre acheter offrir imaginer
    voir faire laisser entendre sentir convenir
    """.split()
)
# What may follow a participle that agrees with its subject: punctuation, prepositions,
# adverbs and dates, not an object.
_AFTER_SUBJECT_PARTICIPLE = frozenset(
    """
    , . ; : ! ? ) » – — à au aux en dans sur avec contre pour par lors depuis pendant après avant
    entre devant derrière chez vers sans sous et mais puis ensuite alors ce cette hier lundi mardi
    mercredi jeudi vendredi samedi dimanche ici là-bas mutuellement violemment
    """.split()
)


def _gender_number(features: str) -> list[tuple[str, str]]:
    """(gender, number) pairs of a DELA feature string: "ms:fp" → [(m, s), (f, p)]; a
    missing gender or number is written "mf" or "sp"."""
    out = []
    for alt in features.split(":"):
        alt = alt.lstrip("K")
        gender = "".join(c for c in alt if c in "mf") or "mf"
        number = "".join(c for c in alt if c in "sp") or "sp"
        out.append((gender, number))
    return out


def _nominal_agreements(word: str, after_pronoun: bool) -> list[tuple[str, str]] | None:
    """The (gender, number) readings of a word that can only be a noun, an adjective or a
    participle; None when it has another reading (verb, adverb, pronoun…) or none.
    ``after_pronoun``: the determiner can also be an object pronoun (« leur accordant »)."""
    readings = lexicon.analyses(word)
    if not readings:
        return None
    out: list[tuple[str, str]] = []
    for _, pos, features in readings:
        if pos in ("N", "A") or (pos == "V" and all(f.startswith("K") for f in features.split(":"))):
            pairs = _gender_number(features)
            out += pairs
            # A noun in -s, -x or -z does not change in the plural (« des box »), even where
            # DELA lists only its singular.
            if pos == "N" and word.endswith(("s", "x", "z")):
                out += [(g, "p") for g, n in pairs if n == "s"]
        elif pos == "V" and features == "G" and not after_pronoun:
            continue  # a present participle never follows a determiner (« aux ressortissant »)
        else:
            return None
    return out


def _agrees(det: tuple[str, str, str], readings: list[tuple[str, str]]) -> bool:
    genders, numbers, _ = det
    return any(set(g) & set(genders) and set(n) & set(numbers) for g, n in readings)


def _participle(word: str) -> tuple[str, list[tuple[str, str]]] | None:
    """(lemma, its participle readings) of a past participle form; None if it is not one."""
    found = [
        (lemma, _gender_number(f)) for lemma, pos, f in lexicon.analyses(word) if pos == "V" and f[:1] == "K"
    ]
    if not found:
        return None
    return found[0][0], [gn for _, gns in found for gn in gns]


def _participle_form(lemma: str, word: str, gender: str, number: str) -> str | None:
    """The DELA form of ``lemma``'s participle in that gender and number, found by adding or
    removing the regular endings of ``word``."""
    stem = word
    for ending in ("es", "s", "e"):
        if word.endswith(ending) and _has_reading(word[: -len(ending)], lemma, "Kms"):
            stem = word[: -len(ending)]
            break
    candidate = stem + {("m", "s"): "", ("f", "s"): "e", ("m", "p"): "s", ("f", "p"): "es"}[(gender, number)]
    if stem.endswith("s") and number == "p" and gender == "m":
        candidate = stem
    return candidate if _has_reading(candidate, lemma, f"K{gender}{number}") else None


def _has_reading(form: str, lemma: str, features: str) -> bool:
    """DELA reads ``form`` as ``lemma`` with these features (« Kms »: masculine singular participle)."""
    return any(
        lem == lemma and pos == "V" and features in f.split(":") for lem, pos, f in lexicon.analyses(form)
    )


_VOWEL_OR_H = "aeiouyhâàéèêîïôûœ"  # where « le », « ce », « ma »… elide or change
_ELIDED = {"le": "l’", "la": "l’", "ce": "cet", "ma": "mon", "ta": "ton", "sa": "son", "du": "de l’",
           "de la": "de l’", "au": "à l’", "à la": "à l’"}  # fmt: skip


def _before(determiner: str, word: str) -> list[str]:
    """The determiner and the word, elided before a vowel (« l’accord », « cet accord »);
    before an h, which DELA does not mark mute or aspirated, both spellings."""
    plain = f"{determiner} {word}"
    if determiner not in _ELIDED or word[0] not in _VOWEL_OR_H:
        return [plain]
    elided = _ELIDED[determiner]
    elided = elided + word if elided.endswith("’") else f"{elided} {word}"
    return [elided, plain] if word[0] == "h" else [elided]


def _past_adverbs(tokens: list[Token], j: int) -> int:
    """The first token from ``j`` on that is not an adverb (« ont déjà saisies »)."""
    while j < len(tokens) and tokens[j][0].lower() in _ADVERBS:
        j += 1
    return j


def _capitalised(fix: str, original: str) -> str:
    return fix[0].upper() + fix[1:] if original[0].isupper() else fix


# Subject pronouns of the third person and their number; the clitics that may stand between
# them and their verb (« il ne l'a pas », « ils leur ont »).
_SUBJECTS = {"il": "s", "elle": "s", "on": "s", "ils": "p", "elles": "p"}
_OTHER_NUMBER = {"il": "ils", "elle": "elles", "ils": "il", "elles": "elle"}
_CLITICS = _OBJECT_CLITICS | frozenset("ne n' n’ se s' s’ lui leur y en".split())
# Before these the pronoun is not a lone subject: « d'elles », « pour eux et elles »,
# « Pierre et elle ont ».
_NOT_A_LONE_SUBJECT = frozenset(
    """de d' d’ à pour avec sans chez par sur sous contre entre parmi selon vers envers et ou ni
    , ( « " """.split()
)
_FINITE = frozenset("PIJFCST")  # DELA's tenses and moods with a person (Y, the imperative, has no subject)
# The commonest verbs' third person in the other number, for the suggestion.
_SWAP_NUMBER = {
    a: b
    for pair in (
        "a ont", "est sont", "fait font", "va vont", "peut peuvent", "doit doivent", "veut veulent",
        "avait avaient", "était étaient", "aura auront", "sera seront", "aurait auraient",
        "serait seraient", "dit disent", "prend prennent", "vient viennent", "tient tiennent",
    )
    for x, y in [pair.split()]
    for a, b in ((x, y), (y, x))
}  # fmt: skip
_REFLEXIVE = frozenset("se s' s’".split())

_TRIGGERS = frozenset(_DETERMINERS) | _AVOIR | _PLURAL | frozenset(_SUBJECTS) | _REFLEXIVE
Token = tuple[str, int, int]  # the word, its start and end in the document


class AgreementCheck:
    name = "agreement"

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = {r.code: r for r in rules}

    def run(self, doc: Document) -> Iterator[Finding]:
        for sentence in doc.sentences:
            at = sentence.start
            tokens = [(m.group(), at + m.start(), at + m.end()) for m in _TOKEN.finditer(sentence.text)]
            object_before = False  # « que », « quelles »… since the clause began: one pass, linear
            for i in range(len(tokens) - 1):
                low = tokens[i][0].lower()
                if low in _CLAUSE_BREAKS:
                    object_before = False
                elif low in _OBJECT_BEFORE:
                    object_before = True
                elif low in _TRIGGERS:
                    for finding in self._at(doc.text, tokens, i, low, object_before):
                        yield finding
                        break

    def _at(self, text: str, tokens: list[Token], i: int, low: str, object_before: bool) -> Iterator[Finding]:
        if "MTQA406" in self.rules and low in _DETERMINERS:
            yield from self._determiner(text, tokens, i)
        if "MTQA407" in self.rules and low in _AVOIR and not object_before:
            yield from self._participle_before_object(text, tokens, i)
        if "MTQA408" in self.rules and low in _PLURAL:
            yield from self._participle_after_plural(text, tokens, i)
        if "MTQA411" in self.rules and low in _SUBJECTS:
            yield from self._verb_person(text, tokens, i)
        if "MTQA412" in self.rules and low in _REFLEXIVE:
            yield from self._participle_after_se(text, tokens, i)

    def _determiner(self, text: str, tokens: list[Token], i: int) -> Iterator[Finding]:
        det_word, start, _ = tokens[i]
        word, _, end = tokens[i + 1]
        if not word.islower() or not word[0].isalpha() or word.endswith(("'", "’")):
            return
        det = _DETERMINERS[det_word.lower()]
        readings = _nominal_agreements(word, det_word.lower() in _PRONOUN_DETERMINERS)
        if readings is None or _agrees(det, readings):
            return
        # « mon amie », « son armée »: the masculine possessive before a vowel.
        if (
            det_word.lower() in ("mon", "ton", "son")
            and word[0] in _VOWEL_OR_H
            and _agrees(("f", "s", ""), readings)
        ):
            return
        if word in _EPICENE_IN_USE and "f" in det[0]:
            return
        # DELA's gender is least sure on rare and borrowed words (« le chikungunya »): a rare
        # word is flagged only when no reading agrees in number either.
        if lexicon.french_frequency(word) < 3.0 and any(set(n) & set(det[1]) for _, n in readings):
            return
        # « numéro un », « page une »: a numeral, not an article.
        if i > 0 and tokens[i - 1][0].lower() in _NUMBERED:
            return
        fixes = sorted({_AGREEING[det[2]][(g, n)] for g in "mf" for n in "sp" for rg, rn in readings
                        if g in rg and n in rn and det[2] in _AGREEING})  # fmt: skip
        rule = self.rules["MTQA406"]
        finding = rule.finding(text, start, end, word=word)
        fixed = (f for d in fixes for f in _before(d, word))
        yield dataclasses.replace(finding, suggestions=tuple(_capitalised(f, det_word) for f in fixed))

    def _participle_before_object(self, text: str, tokens: list[Token], i: int) -> Iterator[Finding]:
        j = _past_adverbs(tokens, i + 1)
        if j + 1 >= len(tokens) or tokens[j + 1][0].lower() not in _NOUN_PHRASE_START:
            return
        word, _, end = tokens[j]
        found = _participle(word.lower()) if word.islower() else None
        if found is None or any("m" in g and "s" in n for g, n in found[1]):
            return
        if i > 0 and tokens[i - 1][0].lower() in _OBJECT_CLITICS:
            return
        fix = _participle_form(found[0], word, "m", "s")
        rule = self.rules["MTQA407"]
        finding = rule.finding(text, tokens[i][1], end, participle=word)
        fixed = text[tokens[i][1] : tokens[j][1]] + fix if fix else None
        yield dataclasses.replace(finding, suggestions=(fixed,) if fixed else ())

    def _participle_after_plural(self, text: str, tokens: list[Token], i: int) -> Iterator[Finding]:
        aux = tokens[i][0].lower()
        j = i + 1
        if aux in _PLURAL_AVOIR:  # « ont été élu »: only the passive, after « été »
            if j >= len(tokens) or tokens[j][0].lower() != "été":
                return
            j += 1
        j = _past_adverbs(tokens, j)
        if j >= len(tokens):
            return
        word, _, end = tokens[j]
        found = _participle(word.lower()) if word.islower() else None
        if found is None or any("p" in n for _, n in found[1]):
            return
        lemma = found[0]
        reflexive = aux in _PLURAL_ETRE and i > 0 and tokens[i - 1][0].lower() in ("se", "s'", "s’")
        if reflexive and lemma in _INVARIABLE_REFLEXIVE:
            return
        after = tokens[j + 1][0].lower() if j + 1 < len(tokens) else "."
        if after not in _AFTER_SUBJECT_PARTICIPLE:
            return
        start = tokens[i - 1][1] if reflexive else tokens[i][1]
        fixes = [f for g in "mf" if (f := _participle_form(lemma, word.lower(), g, "p"))]
        rule = self.rules["MTQA408"]
        finding = rule.finding(text, start, end, participle=word)
        prefix = text[start : tokens[j][1]]
        yield dataclasses.replace(finding, suggestions=tuple(prefix + f for f in dict.fromkeys(fixes)))

    def _verb_person(self, text: str, tokens: list[Token], i: int) -> Iterator[Finding]:
        """« il l'ont fait », « elles a décidé »: every reading of the verb is of the other number."""
        pronoun = tokens[i][0]
        if i > 0 and tokens[i - 1][0].lower() in _NOT_A_LONE_SUBJECT:
            return
        j = i + 1
        while j < len(tokens) and tokens[j][0].lower() in _CLITICS:
            j += 1
        if j >= len(tokens):
            return
        verb, _, end = tokens[j]
        if not verb.islower() or not verb[0].isalpha():
            return
        number = _SUBJECTS[pronoun.lower()]
        finite = set()
        for _, pos, features in lexicon.analyses(verb):
            if pos in ("N", "A"):
                continue  # a noun or adjective cannot follow a subject pronoun and its clitics
            if pos != "V":
                return  # an adverb, a pronoun, a preposition: not the verb
            for f in features.split(":"):
                if f[:1] not in _FINITE:
                    if f[:1] != "Y":
                        return  # a participle, an infinitive or a gerund
                    continue
                finite.add(f[1:])
        if not finite or f"3{number}" in finite:
            return
        middle = text[tokens[i][2] : tokens[j][1]]
        fixes = []
        if pronoun.lower() in _OTHER_NUMBER:
            fixes.append(_capitalised(_OTHER_NUMBER[pronoun.lower()], pronoun) + middle + verb)
        if verb in _SWAP_NUMBER:
            fixes.append(pronoun + middle + _SWAP_NUMBER[verb])
        rule = self.rules["MTQA411"]
        finding = rule.finding(text, tokens[i][1], end, pronoun=pronoun, verb=verb)
        yield dataclasses.replace(finding, suggestions=tuple(fixes))

    def _participle_after_se(self, text: str, tokens: list[Token], i: int) -> Iterator[Finding]:
        """« le maire se réjoui que… »: a past participle never follows « se » itself."""
        word, _, end = tokens[i + 1]
        if not word.islower() or not word[0].isalpha():
            return
        readings = lexicon.analyses(word)
        tags = [f for _, pos, features in readings if pos == "V" for f in features.split(":")]
        if not tags or any(f[:1] != "K" for f in tags):
            return  # not a participle, or also a finite form (« se réjouis »): fine after « se »
        if any(pos not in ("V", "A") for _, pos, _ in readings):
            return  # « se marché » may be « ce marché », another error with another fix
        plural = all(f.endswith("p") for f in tags)
        aux = "se sont " if plural else "s’est " if "’" in tokens[i][0] else "s'est "
        rule = self.rules["MTQA412"]
        finding = rule.finding(text, tokens[i][1], end, participle=word)
        yield dataclasses.replace(finding, suggestions=(_capitalised(aux + word, tokens[i][0]),))
