"""The shipped default codebook.yaml: valid, complete, and its rules find what they promise;
edits of a codebook file: atomic with the project, refused when the file changed on disk, and
as small in the file as the change itself."""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.language import Language
from sqlite_utils import Database

from kvali.codebook import edit
from kvali.codebook.edit import add_code, merge_codes, split_code, update_code
from kvali.codebook.load import COLOR, check_codebook, load_codebook
from kvali.codebook.model import Codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import add_manual_coding
from kvali.errors import KvaliError, ProjectError, UsageError
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.nlp import load_pipeline
from kvali.tagging.matcher import CodebookMatcher, SegmentContext, matcher_for
from kvali.tagging.run import form_lemma

CODEBOOK = Path(__file__).resolve().parents[1] / "codebook.yaml"
THEMES = {
    "sundhed": "Håndtering af sundhedsrelaterede problemstillinger",
    "naere_netvaerk": "Borgerens nære netværk",
    "civilsamfund": "Samarbejde med civilsamfundet",
    "data_opfoelgning": "Kvalitetsudvikling med data og opfølgning",
    "overgange": "Overgange mellem sektorer",
    "udviklingsforstyrrelser": "Børn og unge med udviklings- og opmærksomhedsforstyrrelser",
    "oekonomi": "Økonomi og ressourcer",
    "rekruttering": "Rekruttering og kompetencer",
    "tvaersektorielt": "Tværsektorielt samarbejde",
    "forebyggelse": "Tidlig og forebyggende indsats",
    "maalgrupper": "Målgrupper",
}
PARAGRAPHS = ["§ 18", "§18", "§ 85", "§ 107", "§ 108", "§ 82 a", "§ 82b"]


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    loaded, problems = check_codebook(CODEBOOK)
    assert problems == [], "\n".join(map(str, problems))
    assert loaded is not None
    return loaded


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline()


@pytest.fixture(scope="module")
def matcher(codebook: Codebook, nlp: Language) -> CodebookMatcher:
    return matcher_for(codebook, form_lemma)


def suggested(matcher: CodebookMatcher, nlp: Language, text: str,
              kind: str = "interview") -> set[str]:
    return set(matcher.match(nlp(text), SegmentContext(kind)))


def test_loads_without_problems(codebook: Codebook) -> None:
    assert codebook.version == "2026.1"
    assert codebook.name.strip()


def test_every_theme_is_a_top_level_code_with_two_to_five_sub_themes(codebook: Codebook) -> None:
    codes = codebook.by_key()
    top = [c.key for c in codebook.codes if c.parent_key is None]
    assert top == list(THEMES)
    for key, name in THEMES.items():
        assert codes[key].name == name
        children = [c for c in codebook.codes if c.parent_key == key]
        assert 2 <= len(children) <= 5, key
        assert all(c.key.startswith(f"{key}.") for c in children)


def test_colours_are_valid_and_unique(codebook: Codebook) -> None:
    colours = [c.color for c in codebook.codes]
    assert all(COLOR.match(colour) for colour in colours)
    assert len(set(colours)) == len(colours)


def test_every_code_is_documented(codebook: Codebook) -> None:
    for code in codebook.codes:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", code.description) if s]
        assert 1 <= len(sentences) <= 3, code.key
        assert code.example, code.key
        assert not code.rules.empty, code.key
    with_notes = [c for c in codebook.codes if c.inclusion or c.exclusion]
    assert len(with_notes) > len(codebook.codes) * 0.75


def test_every_rule_kind_is_used(codebook: Codebook) -> None:
    rules = [c.rules for c in codebook.codes]
    assert any(not k.compound for r in rules for k in r.keywords)
    assert any(r.fuzzy for r in rules)
    assert any(r.exclude for r in rules)
    assert any(r.scope.kinds for r in rules)
    patterns = [re.compile(p) for r in rules for p in r.patterns]
    for reference in PARAGRAPHS:
        assert any(p.search(reference) for p in patterns), reference


def test_each_code_finds_its_own_example(codebook: Codebook, matcher: CodebookMatcher,
                                         nlp: Language) -> None:
    missed = []
    for code in codebook.codes:
        kind = code.rules.scope.kinds[0] if code.rules.scope.kinds else "interview"
        if code.key not in suggested(matcher, nlp, code.example or "", kind):
            missed.append(code.key)
    assert missed == []


@pytest.mark.parametrize(("text", "code"), [
    ("Vi inddrager netværket tidligt i sagen.", "naere_netvaerk"),
    ("Netværksmøderne har gjort en forskel.", "naere_netvaerk.inddragelse"),
    ("Pårørendes rolle bliver overset.", "naere_netvaerk.paaroerende"),
    ("Civilsamfundsaktørerne vil gerne mere.", "civilsamfund"),
    ("Frivilligcentret har en driftsaftale med os.", "civilsamfund.frivillige_foreninger"),
    ("Vi har en aftale med idrætsforeningerne.", "civilsamfund.frivillige_foreninger"),
    ("De sundhedsfaglige opgaver fylder mere.", "sundhed"),
    ("Lægerne har ikke tid til vores borgere.", "sundhed.praktiserende_laege"),
    ("Medicinhåndteringen på bostederne er et problem.", "sundhed.medicin"),
    ("Vi uddeler § 18-midler hvert forår.", "oekonomi.paragraf_18"),
    ("Han får støtte efter §85 nu.", "forebyggelse.mindre_indgribende"),
    ("Kommunen har ikke råd til flere pladser.", "oekonomi"),
    ("Sagstallet er alt for højt.", "rekruttering.arbejdsmiljoe"),
    ("Regionspsykiatrien udskriver for tidligt.", "tvaersektorielt.region_psykiatri"),
    ("Når de fylder 18, skifter de sagsbehandler.", "overgange.ung_til_voksen"),
])
def test_inflections_compounds_and_references_are_found(matcher: CodebookMatcher, nlp: Language,
                                                        text: str, code: str) -> None:
    assert code in suggested(matcher, nlp, text)


@pytest.mark.parametrize(("text", "code"), [
    ("Vi mødes i et ledernetværk hver måned.", "naere_netvaerk"),
    ("Borgere i Region Midtjylland svarede også.", "tvaersektorielt.region_psykiatri"),
    ("Hun har et højt sygefravær i sin afdeling.", "udviklingsforstyrrelser.skolefravaer"),
    ("Sygefraværet blandt medarbejderne er steget.", "sundhed.somatik"),
    ("Fagforeningen er utilfreds med aftalen.", "civilsamfund.frivillige_foreninger"),
    ("Vi giver gode råd til forældrene.", "oekonomi"),
    ("Effektiviteten i sagsbehandlingen er høj.", "data_opfoelgning.effekt_progression"),
    ("Budgetopfølgningen sker hvert kvartal.", "data_opfoelgning.opfoelgning_sager"),
    ("Hun blev plejefamilie for to børn.", "naere_netvaerk.paaroerende"),
])
def test_known_over_matches_are_held_back(matcher: CodebookMatcher, nlp: Language, text: str,
                                          code: str) -> None:
    assert code not in suggested(matcher, nlp, text)


def test_survey_only_code_with_misspellings(matcher: CodebookMatcher, nlp: Language) -> None:
    comment = "Der er ikke resourcer nok til opgaven."
    assert "oekonomi.ressourcemangel" in suggested(matcher, nlp, comment, "survey")
    assert "oekonomi.ressourcemangel" not in suggested(matcher, nlp, comment, "interview")
    assert "rekruttering" in suggested(matcher, nlp, "Rekrutering er svær.", "survey")


# Editing codebook.yaml: a failed step changes nothing, a file changed on disk is refused, and a
# one-field edit is a one-line diff in the shipped file and in a file of another common style.

EDITED = """\
# Kodebog i en anden stil: sekvenser uden indrykning, lange linjer, blokke og kommentarer
name: Anden stil
version: "3"
codes:
- key: netvaerk   # netværket omkring borgeren
  name: Netværk
  description: LONG_DESCRIPTION
  inclusion: >
    Udsagn om familie, venner og naboer,
    som støtter borgeren i hverdagen.
  example: |
    Vi holder netværksmøder.
    Det hjælper borgeren.
  color: '#2E7D32'
  rules:
    keywords: [netværk, pårørende, {word: mor, compound: false}]
    exclude:
    - sociale medier
    - facebook   # ikke borgerens netværk
  children:
  - key: netvaerk.moeder
    name: Netværksmøder
    description: Møder med netværket, som kommunen indkalder til
      sammen med borgeren.
    color: '#66BB6A'

# Tværgående
- key: civil
  name: Civilsamfund
  color: '#1565C0'
  rules:
    keywords: [frivillig, forening]
    patterns: ['§\\s*18\\b']
"""
LONG = ("Borgerens netværk og pårørende, som kommunen inddrager i sagsbehandlingen, når det "
        "giver mening for borgeren {}.")
EDITED = EDITED.replace("LONG_DESCRIPTION", LONG.format("selv og for familien"))

SOMATIK_KEYWORDS = ["somatisk", "somatik", "sygdom", "diabetes", "tandpleje", "tandlæge",
                    "overvægt", "sundhedstjek", {"word": "syg", "compound": False},
                    {"word": "syge", "compound": False}]
PAAROERENDE_KEYWORDS = ["pårørende", "forælder", "forældre", "søskende", "ægtefælle",
                        "bedsteforældre", {"word": "familie", "compound": False},
                        {"word": "mor", "compound": False}, {"word": "far", "compound": False}]
SUNDHED = ("Hvordan kommunen opdager og håndterer borgernes fysiske og psykiske "
           "helbredsproblemer i det sociale arbejde. Temaet dækker mødet mellem den socialfaglige "
           "indsats og sundhedsvæsenet omkring den {} borger.")
SOMATIK_LINE = " " * 21 + "sundhedstjek, {word: syg, compound: false}, {word: syge, " \
    "compound: false}"

ONE_LINE_EDITS = [  # (file, code, changes, the line before, the line after)
    ("shipped", "sundhed.somatik", {"name": "Somatik og sygdom"},
     "        name: Somatiske problemstillinger", "        name: Somatik og sygdom"),
    ("shipped", "sundhed", {"description": SUNDHED.format("hele")},
     "      sundhedsvæsenet omkring den enkelte borger.",
     "      sundhedsvæsenet omkring den hele borger."),
    ("shipped", "sundhed.somatik", {"keywords": [*SOMATIK_KEYWORDS, "tand"]},
     SOMATIK_LINE + "]", SOMATIK_LINE + ", tand]"),
    ("shipped", "naere_netvaerk.paaroerende",
     {"keywords": [k for k in PAAROERENDE_KEYWORDS if k != {"word": "mor", "compound": False}]},
     "                     {word: familie, compound: false}, {word: mor, compound: false},",
     "                     {word: familie, compound: false},"),
    ("shipped", "sundhed", {"color": "#123ABC"}, '    color: "#C62828"', '    color: "#123ABC"'),
    ("other", "netvaerk", {"name": "Netværket"}, "  name: Netværk", "  name: Netværket"),
    ("other", "netvaerk", {"description": LONG.format("og familien")},
     "  description: " + LONG.format("selv og for familien"),
     "  description: " + LONG.format("og familien")),
    ("other", "netvaerk", {"keywords": ["netværk", "pårørende", {"word": "mor", "compound": False},
                                        "nabo"]},
     "    keywords: [netværk, pårørende, {word: mor, compound: false}]",
     "    keywords: [netværk, pårørende, {word: mor, compound: false}, nabo]"),
    ("other", "netvaerk", {"inclusion": "Udsagn om familie, venner og naboer, som hjælper "
                                        "borgeren i hverdagen."},
     "    som støtter borgeren i hverdagen.", "    som hjælper borgeren i hverdagen."),
    ("other", "netvaerk", {"example": "Vi holder netværksmøder.\nDet hjælper os."},
     "    Det hjælper borgeren.", "    Det hjælper os."),
    ("other", "netvaerk.moeder", {"description": "Møder med netværket, som kommunen indkalder "
                                                 "til sammen med familien."},
     "      sammen med borgeren.", "      sammen med familien."),
    ("other", "civil", {"color": "#123ABC"}, "  color: '#1565C0'", "  color: '#123ABC'"),
    ("other", "civil", {"patterns": ["§\\s*18\\b", "§\\s*19\\b"]},
     "    patterns: ['§\\s*18\\b']", "    patterns: ['§\\s*18\\b', '§\\s*19\\b']"),
]


def _write(folder: Path, which: str) -> Path:
    path = folder / "codebook.yaml"
    path.write_bytes(CODEBOOK.read_bytes() if which == "shipped" else EDITED.encode())
    return path


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.mark.parametrize(("which", "key", "changes", "old", "new"), ONE_LINE_EDITS)
def test_a_one_field_edit_is_a_one_line_diff(tmp_path: Path, which: str, key: str,
                                             changes: dict, old: str, new: str) -> None:
    path = _write(tmp_path, which)
    before = path.read_text(encoding="utf-8")
    update_code(path, None, key, changes, "mette")
    after = path.read_text(encoding="utf-8")
    assert _changed_lines(before, after) == [f"-{old}", f"+{new}"]
    assert not [line for line in after.splitlines() if line != line.rstrip()]
    edited = load_codebook(path).by_key()[key]
    for field, value in changes.items():
        if field == "keywords":
            assert [k.word if k.compound else {"word": k.word, "compound": False}
                    for k in edited.rules.keywords] == value
        elif field == "patterns":
            assert list(edited.rules.patterns) == value
        else:
            assert getattr(edited, field) == value


def test_new_fields_and_codes_follow_the_files_order_and_indentation(tmp_path: Path) -> None:
    path = _write(tmp_path, "other")
    before = path.read_text(encoding="utf-8")
    update_code(path, None, "civil", {"description": "Frivillige og foreninger.",
                                      "exclude": ["fagforening"]}, "mette")
    add_code(path, None, "civil.frivillige", "Frivillige", "civil", "mette")
    assert _changed_lines(before, path.read_text(encoding="utf-8")) == [
        "+  description: Frivillige og foreninger.",
        "+    exclude:",
        "+    - fagforening",
        "+  children:",
        "+  - key: civil.frivillige",
        "+    name: Frivillige",
        "+    color: '#888888'",
    ]


def test_line_endings_and_byte_order_mark_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    original = b"\xef\xbb\xbf" + EDITED.replace("\n", "\r\n").encode()
    path.write_bytes(original)
    update_code(path, None, "civil", {"name": "Civilsamfundet"}, "mette")
    assert path.read_bytes() == original.replace(b"name: Civilsamfund\r\n",
                                                 b"name: Civilsamfundet\r\n")


def test_no_trailing_blanks_after_a_save(tmp_path: Path) -> None:
    path = _write(tmp_path, "shipped")
    update_code(path, None, "sundhed.praktiserende_laege", {"name": "Egen læge"}, "mette")
    text = path.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line != line.rstrip()] == []
    assert len(_changed_lines(CODEBOOK.read_text(encoding="utf-8"), text)) == 2


@pytest.fixture
def coded(fresh_db: Database, tmp_path: Path) -> tuple[Database, Path]:
    """A project with one interview, the other-style codebook loaded and two manual codings."""
    (tmp_path / "i.md").write_text("I: Hvem hjælper?\nIP1: Naboerne og familien.\n"
                                   "IP1: Foreningerne.\n", encoding="utf-8")
    import_paths(fresh_db, [tmp_path / "i.md"], ReadOptions(kind="interview"))
    path = _write(tmp_path, "other")
    sync_codebook(fresh_db, load_codebook(path))
    for segment, code in fresh_db.execute("SELECT id, CASE WHEN text LIKE 'Nabo%' THEN "
                                          "'netvaerk' ELSE 'civil' END FROM segments "
                                          "WHERE text NOT LIKE 'Hvem%'").fetchall():
        add_manual_coding(fresh_db, segment, code, "mette")
    return fresh_db, path


def _snapshot(db: Database) -> list:
    return [db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("codes", "codings", "events", "settings")]


def test_a_merge_the_project_refuses_leaves_file_and_project_unchanged(coded) -> None:
    db, path = coded
    before, state = path.read_bytes(), _snapshot(db)
    db.execute("CREATE TRIGGER keep_codes BEFORE DELETE ON codes "
               "BEGIN SELECT RAISE(ABORT, 'koder må ikke slettes'); END")
    with pytest.raises(KvaliError) as refused:
        merge_codes(db, path, "civil", "netvaerk", "mette")
    assert "koder må ikke slettes" in str(refused.value) and "\n" not in str(refused.value)
    assert path.read_bytes() == before
    assert _snapshot(db) == state
    assert [p.name for p in path.parent.iterdir() if p.suffix == ".tmp"] == []


def test_a_split_with_a_wrong_coding_leaves_file_and_project_unchanged(coded) -> None:
    db, path = coded
    before, state = path.read_bytes(), _snapshot(db)
    civil = db.execute("SELECT id FROM codings WHERE code_key = 'civil'").fetchone()[0]
    with pytest.raises(UsageError, match="is not coded 'netvaerk'"):
        split_code(db, path, "netvaerk", "netvaerk.naboer", "Naboer", [civil], "mette")
    assert path.read_bytes() == before
    assert _snapshot(db) == state


def test_an_edit_whose_sync_fails_leaves_the_file_unchanged(coded, monkeypatch) -> None:
    db, path = coded
    before, state = path.read_bytes(), _snapshot(db)

    def refuse(db: Database, codebook: Codebook, actor: str) -> None:
        raise ProjectError("the project is locked")

    monkeypatch.setattr(edit, "sync_codebook", refuse)
    with pytest.raises(ProjectError):
        update_code(path, db, "civil", {"name": "Civilsamfundet"}, "mette")
    assert path.read_bytes() == before
    assert _snapshot(db) == state


def test_a_successful_split_and_merge_reach_file_and_project(coded) -> None:
    db, path = coded
    naboer = db.execute("SELECT id FROM codings WHERE code_key = 'netvaerk'").fetchone()[0]
    assert split_code(db, path, "netvaerk", "netvaerk.naboer", "Naboer", [naboer], "mette") == 1
    assert db.execute("SELECT code_key FROM codings WHERE id = ?", [naboer]).fetchone()[0] \
        == "netvaerk.naboer"
    assert merge_codes(db, path, "netvaerk.moeder", "netvaerk", "mette") == 0
    keys = load_codebook(path).by_key()
    assert "netvaerk.naboer" in keys and "netvaerk.moeder" not in keys
    assert db.execute("SELECT count(*) FROM codes WHERE key = 'netvaerk.moeder'").fetchone()[0] \
        == 0


def test_a_file_changed_on_disk_since_it_was_opened_is_refused(coded) -> None:
    db, path = coded
    state = _snapshot(db)
    book = edit.CodebookFile(path)
    book.set(book.find("civil")[0], "name", "Civilsamfundet")
    theirs = path.read_text(encoding="utf-8").replace("name: Netværk\n", "name: Netværket\n")
    path.write_text(theirs, encoding="utf-8")
    with pytest.raises(edit.CodebookChanged) as refused:
        book.save(db, "mette")
    message = str(refused.value)
    assert message == (f"{path} changed on disk since it was opened; reload it and repeat the "
                       "edit")
    assert path.read_text(encoding="utf-8") == theirs
    assert _snapshot(db) == state


def test_an_edit_checks_the_digest_the_caller_saw(coded) -> None:
    db, path = coded
    seen = edit.file_digest(path)
    path.write_text(path.read_text(encoding="utf-8") + "# en kommentar\n", encoding="utf-8")
    theirs, state = path.read_bytes(), _snapshot(db)
    with pytest.raises(edit.CodebookChanged, match="changed on disk"):
        merge_codes(db, path, "civil", "netvaerk", "mette", expected=seen)
    assert path.read_bytes() == theirs
    assert _snapshot(db) == state
    update_code(path, db, "civil", {"name": "Civilsamfundet"}, "mette",
                expected=edit.file_digest(path))
    assert "# en kommentar" in path.read_text(encoding="utf-8")


def _kvali(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from kvali.cli import main; main()",
                           "--db", str(db), *args], capture_output=True, text=True,
                          cwd=db.parent, timeout=120)


def test_the_cli_reports_a_failed_split_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    (tmp_path / "i.md").write_text("I: Hvem hjælper?\nIP1: Naboerne.\n", encoding="utf-8")
    path = _write(tmp_path, "other")
    assert _kvali("import", "i.md", db=db).returncode == 0
    assert _kvali("codebook", "load", "codebook.yaml", db=db).returncode == 0
    before = path.read_bytes()
    failed = _kvali("codebook", "split", "netvaerk", "netvaerk.naboer", "--name", "Naboer",
                    "--coding", "999", db=db)
    assert failed.returncode != 0
    assert failed.stderr.strip().splitlines() == [
        "kvali: error: coding 999 is not coded 'netvaerk'"]
    assert path.read_bytes() == before
    merged = _kvali("codebook", "merge", "civil", "civil", db=db)
    assert merged.returncode != 0 and len(merged.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before
