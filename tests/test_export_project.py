"""A small coded project for the export, analysis and REFI-QDA tests (imported by them).

Two group interviews (speakers from four municipalities, time marks in one), a survey table with
a role column, and a report. Codings are placed on exact phrases, so the tests do not depend on
where sentences are split. The texts hold markup, a formula and quote marks on purpose.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import add_manual_coding, save_memo, set_key_quote
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db

NETWORK = """---
title: Gruppeinterview om netværk
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Socialchef, kommune: Aarhus}
  IP2: {role: Myndighedsleder, kommune: Viborg}
---
I [00:00:05]: Hvordan inddrager I borgerens netværk?
IP1 [00:00:40]: Vi holder netværksmøder med de pårørende, før vi beslutter en indsats. Det har \
ændret vores praksis.
IP2 [00:01:10]: Hos os er det familierådslagning, der bærer arbejdet med netværket.
IP1 [00:02:00]: Netværket bliver tabt i overgangen fra barn til voksen. Når den unge fylder 18, \
starter en ny sagsbehandler forfra, og det, vi vidste om netværket, følger ikke med. Vi har \
prøvet at lade netværkskortet følge borgeren, men fagsystemerne taler ikke sammen, så det ender \
som en pdf, nogen skal huske at vedhæfte. Det er ikke raketvidenskab, men det kræver, at nogen \
har ansvaret for det hele vejen.
IP2 [00:03:15]: Vi har <script>alert(1)</script> stående i en skabelon, og *ingen* ved hvorfor.
"""

CIVIL = """---
title: Gruppeinterview om civilsamfundet
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Tilbudsleder, kommune: Gentofte}
  IP2: {role: Sagsbehandler, kommune: Morsø}
---
I: Hvordan samarbejder I med foreningerne?
IP1: De frivillige foreninger er med i alle vores netværksmøder nu.
IP2: =HYPERLINK("http://example.invalid") skrev en kollega i referatet om frivillige.
"""

SURVEY = """Kommune;Rolle;Bemærkninger
Aarhus;Socialchef;Netværket inddrages tidligt i alle nye sager hos os.
Odense;Afdelingsleder;Vi mangler frivillige til at støtte borgernes netværk.
Aalborg;Socialchef;-Intet at tilføje ud over at netværket er vigtigt for os.
"""

REPORT = """---
title: Notat om netværk
---
# Notat om netværk

Kommunerne arbejder forskelligt med netværket.

Flere kommuner peger på, at overgangen til voksenlivet er kritisk for netværket.
"""

CODEBOOK = """\
name: Eksporttest
version: "1"
codes:
  - key: netvaerk
    name: Borgerens nære netværk
    description: Hvordan kommunerne inddrager familie, venner og andre tæt på borgeren.
    color: "#2E7D32"
    children:
      - key: netvaerk.moeder
        name: Netværksmøder og rådslagning
        color: "#66BB6A"
      - key: netvaerk.overgange
        name: Netværket i overgange
        color: "#1B5E20"
  - key: civil
    name: Samarbejde med civilsamfundet
    description: Frivillige og foreninger.
    color: "#6A1B9A"
"""

# (document name, phrase, code, coder)
CODINGS = [
    ("Gruppeinterview om netværk", "Vi holder netværksmøder med de pårørende",
     "netvaerk.moeder", "mette"),
    ("Gruppeinterview om netværk", "Hos os er det familierådslagning, der bærer arbejdet med "
     "netværket.", "netvaerk.moeder", "mette"),
    ("Gruppeinterview om netværk", "Netværket bliver tabt i overgangen fra barn til voksen.",
     "netvaerk.overgange", "mette"),
    ("Gruppeinterview om netværk", "Når den unge fylder 18, starter en ny sagsbehandler forfra",
     "netvaerk.overgange", "jonas"),
    ("Gruppeinterview om netværk", "Vi har <script>alert(1)</script> stående i en skabelon, og "
     "*ingen* ved hvorfor.", "netvaerk", "mette"),
    ("Gruppeinterview om civilsamfundet", "De frivillige foreninger er med i alle vores "
     "netværksmøder nu.", "civil", "mette"),
    ("Gruppeinterview om civilsamfundet", "De frivillige foreninger er med i alle vores "
     "netværksmøder nu.", "netvaerk.moeder", "mette"),
    ("Gruppeinterview om civilsamfundet", '=HYPERLINK("http://example.invalid") skrev en kollega',
     "civil", "jonas"),
    ("survey: Bemærkninger", "Netværket inddrages tidligt i alle nye sager hos os.",
     "netvaerk", "mette"),
    ("survey: Bemærkninger", "Vi mangler frivillige til at støtte borgernes netværk.", "civil",
     "mette"),
    ("survey: Bemærkninger", "-Intet at tilføje ud over at netværket er vigtigt for os.",
     "netvaerk", "jonas"),
    ("Notat om netværk", "overgangen til voksenlivet er kritisk for netværket",
     "netvaerk.overgange", "mette"),
]
LONG_QUOTE = ("Netværket bliver tabt i overgangen fra barn til voksen.",
              "har ansvaret for det hele vejen.")


def build_export_project(folder: Path) -> Path:
    """Write, import and code the material; returns the project file."""
    folder.mkdir(parents=True, exist_ok=True)
    files = folder / "files"
    files.mkdir(exist_ok=True)
    (files / "netvaerk.md").write_text(NETWORK, encoding="utf-8")
    (files / "civil.md").write_text(CIVIL, encoding="utf-8")
    (files / "survey.csv").write_text(SURVEY, encoding="utf-8")
    (files / "notat.md").write_text(REPORT, encoding="utf-8")
    path = folder / "export.db"
    db = open_db(path)
    report = import_paths(db, [files / "netvaerk.md", files / "civil.md"],
                          ReadOptions(kind="interview"))
    report.files += import_paths(db, [files / "survey.csv"], ReadOptions(
        kind="survey", case_column="Kommune", text_columns=["Bemærkninger"])).files
    report.files += import_paths(db, [files / "notat.md"], ReadOptions(kind="report")).files
    assert not report.failed, [f.error for f in report.failed]
    codebook, problems = parse_codebook(CODEBOOK, "codebook.yaml")
    assert codebook is not None and not problems, problems
    sync_codebook(db, codebook)
    ids = [code_phrase(db, *coding) for coding in CODINGS]
    start, end = LONG_QUOTE
    long_id = code_span(db, "Gruppeinterview om netværk", start, end, "netvaerk.overgange",
                        "mette")
    set_key_quote(db, ids[1], True, "mette")
    set_key_quote(db, long_id, True, "mette")
    save_memo(db, "code", "netvaerk", "Netværket inddrages mest i børnesager.", "mette")
    save_memo(db, "project", "project", "Opfølgning 2026, eksporttest.", "mette")
    save_memo(db, "coding", ids[0], "Et godt eksempel på et netværksmøde.", "mette")
    document_id = db.execute("SELECT id FROM documents WHERE name = 'Notat om netværk'"
                             ).fetchone()[0]
    save_memo(db, "document", document_id, "Notatet opsummerer kortlægningen.", "jonas")
    _add_suggestion(db)
    db.close()
    return path


def code_phrase(db: Database, document: str, phrase: str, code: str, coder: str) -> int:
    """Code the exact phrase in the named document; returns the coding id."""
    text, document_id = db.execute("SELECT text, id FROM documents WHERE name = ?",
                                   [document]).fetchone()
    start = text.index(phrase)
    return _code(db, document_id, start, start + len(phrase), code, coder)


def code_span(db: Database, document: str, first: str, last: str, code: str,
              coder: str) -> int:
    """Code from the start of `first` to the end of `last`."""
    text, document_id = db.execute("SELECT text, id FROM documents WHERE name = ?",
                                   [document]).fetchone()
    start = text.index(first)
    end = text.index(last) + len(last)
    return _code(db, document_id, start, end, code, coder)


def _code(db: Database, document_id: int, start: int, end: int, code: str, coder: str) -> int:
    segment_id = db.execute('SELECT id FROM segments WHERE document_id = ? AND start <= ? AND '
                            '"end" > ? ORDER BY start DESC LIMIT 1',
                            [document_id, start, start]).fetchone()[0]
    return add_manual_coding(db, segment_id, code, coder, span=(start, end))


def _add_suggestion(db: Database) -> None:
    """One auto suggestion (as `kvali tag` would store it) and one rejected suggestion."""
    for status in ("suggested", "rejected"):
        segment_id, document_id, start, end = db.execute(
            'SELECT s.id, s.document_id, s.start, s."end" FROM segments s JOIN documents d '
            "ON d.id = s.document_id WHERE d.name = 'Notat om netværk' ORDER BY s.seq LIMIT 1 "
            "OFFSET ?", [1 if status == "suggested" else 0]).fetchone()
        db.execute(
            'INSERT INTO codings (document_id, segment_id, start, "end", code_key, coder, origin, '
            "status, rule, score, created_at, updated_at) VALUES (?, ?, ?, ?, 'netvaerk', "
            "'kvali', 'auto', ?, 'keyword:netværk', 1.0, '2026-01-01T00:00:00+00:00', "
            "'2026-01-01T00:00:00+00:00')", [document_id, segment_id, start, end, status])


def open_export_project(folder: Path) -> Database:
    """Build the project and open it."""
    return open_db(build_export_project(folder), create=False)


def test_fixture_project_is_coded(tmp_path: Path) -> None:
    db = open_export_project(tmp_path)
    statuses = dict(db.execute("SELECT status, count(*) FROM codings GROUP BY status"))
    assert statuses == {"manual": len(CODINGS) + 1, "suggested": 1, "rejected": 1}
    assert db.execute("SELECT count(*) FROM codings WHERE key_quote = 1").fetchone()[0] == 2
    kinds = dict(db.execute("SELECT kind, count(*) FROM documents GROUP BY kind"))
    assert kinds == {"interview": 2, "survey": 1, "report": 1}
