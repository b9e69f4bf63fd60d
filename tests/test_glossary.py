"""The newsroom glossary (mtqa/glossary.py, mtqa/checks/glossary.py): its formats, its errors
(one line naming file and line), its matching (inflection, case, plurals) and its wiring
(``--glossary``, ``glossary =`` in the configuration, MTQA020 and MTQA021)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import mtqa
import mtqa.align
from mtqa.api import Checker
from mtqa.checks.glossary import GlossaryCheck
from mtqa.checks.rulebook import all_rules
from mtqa.config import Config, load_config
from mtqa.document import Document, Finding, InputFailure
from mtqa.glossary import FrenchForm, FrenchWords, Glossary, GlossaryError, english_pattern, load_glossary
from mtqa.segment import segment

SHIPPED = Path(mtqa.__file__).parent / "glossaries" / "us-uk-institutions.tsv"

TSV = (
    "source\ttarget\tforbidden\tnote\n"
    "# a comment line\n"
    "State Department|Department of State\tdépartement d'État\t\tle ministère américain\n"
    "Secretary of State\tsecrétaire d'État\t\t\n"
    "Deputy Secretary of State\tsecrétaire d'État adjoint\t\t\n"
    "Home Office\tministère de l'Intérieur|Home Office\t\t\n"
    "press secretary\tporte-parole\t\t\n"
    "\n"
    "\tparlement sans majorité\tparlement pendu\tcalque de « hung parliament »\n"
    "\tChambre des lords\tChambre des seigneurs\t\n"
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    return load_glossary(write(tmp_path, "terms.tsv", TSV))


def check(glossary: Glossary | None, french: str, english: list[str] | None = None) -> list[Finding]:
    """Run the glossary check on ``french``, its sentences paired in order with ``english``.

    The pairing is set by hand (what ``mtqa.align.align_document`` records), so that these tests
    test the glossary and not the aligner; the end-to-end tests below use the real aligner."""
    source = " ".join(english) if english else None
    doc = Document("t", french, source=source)
    doc.sentences = segment(french)
    if english:
        offset = 0
        for sentence, text in zip(doc.sentences, english, strict=True):
            start = source.index(text, offset)  # type: ignore[union-attr]
            sentence.source_spans = [(start, start + len(text))]
            offset = start + len(text)
    rules = [r for r in all_rules() if r.check == "glossary"]
    return list(GlossaryCheck(rules, glossary).run(doc))


# ------------------------------------------------------------------------------------- formats


def test_tsv_with_header_comments_alternatives_and_french_only_entries(glossary: Glossary) -> None:
    first = glossary.entries[0]
    assert first.sources == ("State Department", "Department of State")
    assert first.targets == ("département d'État",)
    assert first.note == "le ministère américain"
    assert first.where.endswith("terms.tsv:3")  # the header and the comment are lines 1 and 2
    french_only = glossary.entries[-2]
    assert french_only.sources == () and french_only.forbidden == ("parlement pendu",)
    assert french_only.targets == ("parlement sans majorité",)
    assert len(glossary) == 7


def test_csv_without_header_is_source_target_note(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "terms.csv",
        "State Department,département d'État|Département d'État,US\n"
        '"Speaker of the House","président de la Chambre des représentants, à Washington"\n',
    )
    entries = load_glossary(path).entries
    assert entries[0].targets == ("département d'État", "Département d'État") and entries[0].note == "US"
    assert entries[1].targets == ("président de la Chambre des représentants, à Washington",)
    assert entries[1].note == ""


def test_one_column_name_is_not_a_header(tmp_path: Path) -> None:
    (entry,) = load_glossary(write(tmp_path, "terms.csv", "Target,l'enseigne Target\n")).entries
    assert entry.sources == ("Target",)


def test_csv_header_in_any_order_with_a_bom(tmp_path: Path) -> None:
    text = "note,forbidden,target,source\nUS,,secrétaire au Trésor,Treasury Secretary\n"
    text += ",secrétaire de presse,porte-parole,\n"
    entries = load_glossary(write(tmp_path, "terms.csv", b"\xef\xbb\xbf" + text.encode())).entries
    assert entries[0].sources == ("Treasury Secretary",) and entries[0].note == "US"
    assert entries[1].forbidden == ("secrétaire de presse",) and entries[1].sources == ()


@pytest.mark.parametrize("delimiter", ["\t", ",", ";"])
def test_txt_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    rows = [["Supreme Court", "Cour suprême", "note"], ["Pentagon", "Pentagone", "US"]]
    path = write(tmp_path, "terms.txt", "".join(delimiter.join(r) + "\n" for r in rows))
    entries = load_glossary(path).entries
    assert [(e.sources, e.targets) for e in entries] == [
        (("Supreme Court",), ("Cour suprême",)),
        (("Pentagon",), ("Pentagone",)),
    ]


TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">
<martif type="TBX-Basic" xml:lang="en-US">
  <text><body>
    <termEntry id="c1">
      <descrip type="definition">The US foreign ministry.</descrip>
      <langSet xml:lang="en-US"><tig><term>State Department</term></tig></langSet>
      <langSet xml:lang="fr-FR">
        <tig><term>département d'État</term>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
        <tig><term>ministère des Affaires étrangères américain</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
      </langSet>
    </termEntry>
    <termEntry id="c2">
      <note>Pas de capitale à suprême.</note>
      <langSet xml:lang="en"><tig><term>Supreme Court</term></tig></langSet>
      <langSet xml:lang="fr"><tig><term>Cour suprême</term></tig></langSet>
      <langSet xml:lang="de"><tig><term>Oberster Gerichtshof</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""

TBX_V3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx style="dca" type="TBX-Basic" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="en"><termSec><term>Home Secretary</term></termSec></langSec>
      <langSec xml:lang="fr">
        <termSec><term>ministre de l'Intérieur</term>
          <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote>
          <note>britannique</note></termSec>
        <termSec><term>secrétaire de l'Intérieur</term>
          <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def test_tbx_basic(tmp_path: Path) -> None:
    entries = load_glossary(write(tmp_path, "terms.tbx", TBX_BASIC)).entries
    assert entries[0].sources == ("State Department",)
    assert entries[0].targets == ("département d'État",)
    assert entries[0].forbidden == ("ministère des Affaires étrangères américain",)
    assert entries[0].note == "The US foreign ministry."
    assert entries[1].targets == ("Cour suprême",) and entries[1].note == "Pas de capitale à suprême."


def test_tbx_v3_with_namespace(tmp_path: Path) -> None:
    (entry,) = load_glossary(write(tmp_path, "terms.xml", TBX_V3)).entries
    assert entry.sources == ("Home Secretary",)
    assert entry.targets == ("ministre de l'Intérieur",)
    assert entry.forbidden == ("secrétaire de l'Intérieur",)
    assert entry.note == "britannique"


def test_shipped_glossary_loads() -> None:
    g = load_glossary(SHIPPED)
    with_source = [e for e in g.entries if e.sources]
    assert len(with_source) >= 40
    assert any(e.forbidden and not e.sources for e in g.entries)
    attorney = next(e for e in g.entries if "Attorney General" in e.sources)
    assert attorney.targets[0] == "ministre de la Justice"  # the house convention for the US


# -------------------------------------------------------------------------------------- errors


def one_line_error(path: Path, *needles: str) -> str:
    with pytest.raises(GlossaryError) as e:
        load_glossary(path)
    message = str(e.value)
    assert "\n" not in message and str(path) in message
    for needle in needles:
        assert needle in message, message
    return message


def test_duplicate_source_term_names_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path, "terms.tsv", "a\tb\nState Department\tdépartement d'État\nx\ty\nstate department\tz\n"
    )
    message = one_line_error(path)
    assert message == f'{path}:4: duplicate source term "state department" (first on line 2)'


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        (
            "latin1.tsv",
            "Home Office\tHome Office\nx\tcaf\xe9\n".encode("latin-1"),
            [":2:", "not UTF-8"],
        ),
        ("utf16.csv", "a,b\n".encode("utf-16"), [":1:", "not UTF-8"]),
        ("short.csv", "a,b\nonly one cell\n", [":2:", "missing target"]),
        ("empty.csv", "a,b\n,cible\n", [":2:", "empty source term"]),
        ("notarget.csv", "a,b\nHome Office,\n", [":2:", "empty target term"]),
        ("pipe.csv", "a,b\nHome Office,ministère de l'Intérieur||\n", [":2:", "empty term"]),
        ("header.tsv", "source\ttarget\tcomment\n", [":1:", 'unknown column "comment"']),
        ("nocol.tsv", "source\tnote\nHome Office\tx\n", [":1:", 'missing column "target"']),
        ("toomany.csv", "a,b\nc,d,e,f\n", [":2:", "columns"]),
        ("nothing.tsv", "# only a comment\n\n", ["no entries"]),
        ("bad.tbx", '<martif><text><body><termEntry id="1">\n<langSet>\n</martif>', [":3:", "malformed XML"]),
        ("html.xml", "<html><body/></html>", ["not TBX"]),
        (
            "lol.tbx",
            '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;">\n'
            "]>\n<martif><text><body>&lol2;</body></text></martif>",
            [":3:", "entity declarations are not allowed"],
        ),
        ("undefined.tbx", "<martif><text><body>\n&xxe;</body></text></martif>", [":2:", "malformed XML"]),
    ],
)
def test_bad_glossaries_raise_one_line_naming_file_and_line(
    tmp_path: Path, name: str, content: str | bytes, needles: list[str]
) -> None:
    one_line_error(write(tmp_path, name, content), *needles)


def test_unreadable_file(tmp_path: Path) -> None:
    one_line_error(tmp_path / "missing.tsv", "cannot read glossary")


def test_duplicate_across_two_files_names_the_first_file(tmp_path: Path) -> None:
    a = write(tmp_path, "a.tsv", "Pentagon\tPentagone\n")
    b = write(tmp_path, "b.tsv", "x\ty\nPentagon\tPentagone\n")
    with pytest.raises(
        GlossaryError, match=r"b\.tsv:2: duplicate source term \"Pentagon\" \(first on .*a\.tsv:1\)"
    ):
        load_glossary([a, b])


# ------------------------------------------------------------------------------------ matching


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [
        ("State Department", "The State Department said", True),
        ("State Department", "the State Department's spokesman", True),  # possessive
        ("State Department", "THE STATE DEPARTMENT SAID", True),  # a headline in capitals
        ("State Department", "the state department", False),  # a capital in the term is required
        ("Home Office", "She works from her home office.", False),
        ("press secretary", "White House Press Secretary Karoline Leavitt", True),  # small letters: any case
        ("Secretary of State", "two former Secretaries of State", True),  # plurals
        ("Attorney General", "state Attorneys General sued", True),
        ("Pentagon", "Pentagonal shapes", False),  # whole words
    ],
)
def test_english_terms(term: str, text: str, found: bool) -> None:
    assert bool(english_pattern(term).search(text)) is found


def test_a_longer_term_wins(glossary: Glossary) -> None:
    found = glossary.source_terms("Deputy Secretary of State Kurt Campbell met the Secretary of State.")
    terms = [t for t, _ in found]
    assert terms == ["Deputy Secretary of State", "Secretary of State"]  # the second is on its own
    found = glossary.source_terms("Deputy Secretary of State Kurt Campbell said.")
    assert [t for t, _ in found] == ["Deputy Secretary of State"]


@pytest.mark.parametrize(
    ("form", "sentence", "found"),
    [
        ("secrétaire d'État", "Deux anciens secrétaires d’État ont signé.", True),  # plural, curly apostrophe
        ("secrétaire d'État", "Le secrétaire d'Etat a parlé.", True),  # no accent on the capital
        ("secrétaire d'État", "Le secrétaire, d'État en État, a parlé.", False),  # a comma breaks the form
        ("Maison-Blanche", "La Maison Blanche a démenti.", False),  # hyphen and space differ
        ("parlement pendu", "Deux parlements pendus en dix ans.", True),
        ("ministère de l'Intérieur", "Le Ministère de l’Intérieur a démenti.", True),
        (
            "ministre de la Défense",
            "Le ministre britannique de la Défense a parlé.",
            True,
        ),  # an adjective inside
        ("ministre de la Défense", "Le ministre, de la Défense, a parlé.", False),
        (
            "ministre de la Défense",
            "Le ministre Healey de la Défense a parlé.",
            False,
        ),  # a name is no adjective
    ],
)
def test_french_forms_match_inflected(form: str, sentence: str, found: bool) -> None:
    assert bool(FrenchWords(sentence).find(FrenchForm.parse(form))) is found


# --------------------------------------------------------------------------------------- check


def test_a_breach_is_flagged_with_the_expected_term(glossary: Glossary) -> None:
    french = "Le ministère des Affaires étrangères a démenti. Les pourparlers reprendront lundi."
    english = ["The State Department denied it.", "Talks will resume on Monday."]
    (finding,) = check(glossary, french, english)
    assert finding.rule == "MTQA020" and str(finding.severity) == "major"
    assert finding.text == "Le ministère des Affaires étrangères a démenti."
    assert finding.suggestions == ("département d'État",)
    assert "« State Department »" in finding.message and "« département d'État »" in finding.message
    assert "le ministère américain" in finding.message  # the note


def test_inflection_is_accepted(glossary: Glossary) -> None:
    french = "Deux anciens secrétaires d’État ont signé la lettre."
    assert check(glossary, french, ["Two former Secretaries of State signed the letter."]) == []


def test_any_accepted_form_will_do(glossary: Glossary) -> None:
    french = "Le Home Office a durci les règles."
    assert check(glossary, french, ["The Home Office tightened the rules."]) == []


def test_two_missing_terms_make_one_finding_per_sentence(glossary: Glossary) -> None:
    french = "Le ministère des Affaires étrangères et le ministre l'ont confirmé."
    (finding,) = check(glossary, french, ["The State Department and the Secretary of State confirmed it."])
    assert finding.suggestions == ("département d'État", "secrétaire d'État")


def test_a_french_only_forbidden_form_is_flagged_without_a_source(glossary: Glossary) -> None:
    (finding,) = check(glossary, "Les élections ont débouché sur deux parlements pendus.")
    assert finding.rule == "MTQA021" and finding.text == "parlements pendus"
    assert finding.suggestions == ("parlement sans majorité",)
    assert "hung parliament" in finding.message


def test_no_source_or_no_counterpart_no_missing_term(glossary: Glossary) -> None:
    assert check(glossary, "Le ministère des Affaires étrangères a démenti.") == []


def test_no_glossary_no_findings() -> None:
    assert (
        check(None, "Le parlement pendu a démenti.", ["The hung parliament State Department denied it."])
        == []
    )
    doc = Checker(Config(model=False)).check(
        Document("t", "Un parlement pendu a été élu hier soir à Londres.")
    )
    assert not isinstance(doc, InputFailure)
    assert not {f.rule for f in doc.findings} & {"MTQA020", "MTQA021"}


# -------------------------------------------------------------------------- configuration, CLI


def test_config_key_is_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "desk"
    folder.mkdir()
    write(folder, "terms.tsv", TSV)
    config = write(folder, "mtqa.toml", '[tool.mtqa]\nglossary = "terms.tsv"\n')
    cfg = load_config(explicit=config)
    assert cfg.glossary == (folder / "terms.tsv",)
    cfg.model = False
    doc = Checker(cfg).check(Document("t", "La Chambre des seigneurs siège depuis lundi à Westminster."))
    assert not isinstance(doc, InputFailure)
    assert "MTQA021" in {f.rule for f in doc.findings}


def mtqa_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "mtqa", *args]
    return subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=300
    )


def test_cli_bad_glossary_is_one_line_and_exit_2(tmp_path: Path) -> None:
    write(tmp_path, "article.txt", "Le président a reçu mardi son homologue brésilien à l'Élysée.\n")
    write(tmp_path, "terms.tsv", "a\tb\nState Department\tx\nState Department\ty\n")
    proc = mtqa_cli("check", "article.txt", "--no-model", "--glossary", "terms.tsv", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        'mtqa: error: terms.tsv:3: duplicate source term "State Department" (first on line 2)'
    ]


def test_cli_flags_a_breach_in_a_feed_whose_french_splits_a_sentence(tmp_path: Path) -> None:
    """The issue's acceptance test: English 3 sentences, French 4 (the second one split in two),
    and the breach in the third English sentence is found on its French sentence."""
    english = (
        "Talks between the two countries resumed in Geneva on Monday after a pause of several months. "
        "Negotiators spent the whole day on the question of prisoners, which has blocked every previous "
        "round, and they agreed to meet again in March. "
        "The State Department said it was encouraged by the progress made so far."
    )
    french = (
        "Les discussions entre les deux pays ont repris lundi à Genève après une pause de plusieurs mois. "
        "Les négociateurs ont consacré toute la journée à la question des prisonniers, qui a bloqué tous "
        "les cycles précédents. Ils sont convenus de se retrouver en mars. "
        "Le ministère des Affaires étrangères s'est dit encouragé par les progrès accomplis jusqu'ici."
    )
    feed = write(tmp_path, "feed.jsonl", json.dumps({"id": "a1", "text": french, "source": english}) + "\n")
    write(tmp_path, "terms.tsv", TSV)
    proc = mtqa_cli(
        "check", feed.name, "--glossary", "terms.tsv", "--no-model", "--format", "json", cwd=tmp_path
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    (doc,) = report["documents"]
    assert len(doc["sentences"]) == 4
    flagged = [(f["rule"], f["text"], f["suggestions"]) for s in doc["sentences"] for f in s["findings"]]
    assert ("MTQA020", french.rsplit(". ", 1)[1], ["département d'État"]) in flagged, flagged
    assert [f for f in flagged if f[0] == "MTQA020"] == [
        ("MTQA020", french.rsplit(". ", 1)[1], ["département d'État"])
    ]
