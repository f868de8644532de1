"""Finding personal data: the scanner's rules, its precision and recall on the labelled
transcript, the decisions store (scan, decide, add by hand, list) and the import warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from kvali.errors import UsageError
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.privacy.evaluation import load_labels, score
from kvali.privacy.findings import add_manual, add_manual_text, decide, list_findings, scan_project
from kvali.privacy.scan import scan_text
from kvali.privacy.scan.numbers import valid_cpr_date
from kvali.store import open_db

DATA = Path(__file__).parent / "data" / "pii"
# Defensible floors on the labelled transcript: every CPR number must be found; number-like types
# are exact patterns; names depend on the lists (a name outside them is missed, a surname that is
# also a place is a false alarm), so they get a lower floor.
FLOORS = {"cpr": (1.0, 1.0), "phone": (0.9, 0.9), "email": (1.0, 1.0),
          "address": (0.85, 0.85), "name": (0.85, 0.85)}


@pytest.fixture()
def project():
    db = open_db(":memory:")
    report = import_paths(db, [DATA / "interview.md"], ReadOptions(kind="interview"))
    assert not report.failed, report.failed
    return db


def found(text: str, speakers: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(text[f.start:f.end], f.type) for f in scan_text(text, speakers)]


def test_labelled_transcript_precision_and_recall(project) -> None:
    scan_project(project)
    text = project.execute("SELECT text FROM documents").fetchone()[0]
    expected = load_labels(DATA / "labels.tsv", text)
    assert len(expected) >= 40 and {t for *_, t in expected} == set(FLOORS)
    scores = score({(r.start, r.end, r.type) for r in list_findings(project)}, expected)
    for type_, (precision, recall) in FLOORS.items():
        assert scores[type_].precision >= precision, (type_, scores[type_])
        assert scores[type_].recall >= recall, (type_, scores[type_])


@pytest.mark.parametrize("number", ["010203-1234", "0102031234", "010203 1234", "01.02.03-1234"])
def test_cpr_shapes(number: str) -> None:
    assert found(f"Nummeret er {number} her.") == [(number, "cpr")]


@pytest.mark.parametrize("number", ["320105-1234", "011305-1234", "300290-1234",
                                    "290201-1234", "12010203-1234", "010203-12345"])
def test_not_cpr(number: str) -> None:
    assert not [t for _, t in found(f"Nummeret {number} her.") if t == "cpr"]


def test_cpr_century_follows_the_seventh_digit() -> None:
    assert valid_cpr_date(29, 2, 0, 4)  # 2000 is a leap year
    assert not valid_cpr_date(29, 2, 0, 2)  # 1900 is not
    assert valid_cpr_date(29, 2, 96, 9)  # 1996


def test_phone_numbers_but_not_amounts_years_or_case_numbers() -> None:
    text = ("Ring 12 34 56 78, 2345 6789, 23456789, +45 31 41 59 26 eller 0045 87654321. "
            "Det kostede 12345678 kr., i 2019 2020 og sagsnr. 24681357.")
    assert [t for t, kind in found(text) if kind == "phone"] == [
        "12 34 56 78", "2345 6789", "23456789", "+45 31 41 59 26", "0045 87654321"]


def test_addresses() -> None:
    text = "Hun bor på Vestergade 12 og Nørre Allé 3, 2. th., 2100 København Ø og 8000 Aarhus C."
    assert [t for t, kind in found(text) if kind == "address"] == [
        "Vestergade 12", "Nørre Allé 3, 2. th.", "2100 København Ø", "8000 Aarhus C"]
    assert "address" not in {kind for _, kind in found("I 2019 Peter kom, for 4500 kr.")}


def test_names_titles_and_recurring_first_names() -> None:
    text = ("Vi mødte Peter Hansen og fru Jensen. Senere kom borgeren Zlatan og Anne-Marie Kjær "
            "Nielsen. Peter sagde ja.")
    findings = scan_text(text)
    names = [(text[f.start:f.end], f.entity) for f in findings]
    assert names == [("Peter Hansen", "peter hansen"), ("Jensen", "jensen"),
                     ("Zlatan", "zlatan"), ("Anne-Marie Kjær Nielsen", "anne-marie kjær nielsen"),
                     ("Peter", "peter hansen")]
    assert all(text[f.start:f.end] not in f.reason for f in findings)


def test_not_names() -> None:
    text = ("Røde Kors og Ældre Sagen hjalp. Dansk Flygtningehjælp kom også. Aarhus Kommune, "
            "Region Midtjylland og Frederiksberg betalte. Borgeren var glad. Det ved De godt. "
            "Hans mor kom. Karen Forening hjalp.")
    assert found(text) == []


def test_speaker_names_are_names() -> None:
    assert found("Karsten Bro: Hej. Jeg er Karsten Bro.", ("Karsten Bro",)) == [
        ("Karsten Bro", "name"), ("Karsten Bro", "name")]


def test_scan_is_idempotent_and_keeps_decisions(project) -> None:
    first = scan_project(project)
    assert first.added >= 40 and first.removed == 0
    again = scan_project(project)
    assert (again.added, again.removed, again.kept) == (0, 0, first.added)
    rows = list_findings(project)
    decide(project, [rows[0].id], "confirmed", "mette")
    decide(project, [rows[1].id], "dismissed", "mette")
    project.execute("UPDATE documents SET text = 'ingen data' ")  # the scan finds nothing now
    report = scan_project(project)
    assert report.removed == first.added - 2
    assert [(r.id, r.status) for r in list_findings(project)] == [
        (rows[0].id, "confirmed"), (rows[1].id, "dismissed")]


def test_decide_add_and_list(project) -> None:
    scan_project(project)
    doc = list_findings(project)[0].document_id
    cpr = list_findings(project, type="cpr")
    assert len(cpr) == 5 and all(r.text[0].isdigit() for r in cpr)
    assert decide(project, [r.id for r in cpr], "dismissed", "mette") == 5
    assert len(list_findings(project, status="dismissed", document=doc)) == 5
    finding = add_manual(project, doc, 0, 3, "name", "mette")
    [row] = [r for r in list_findings(project) if r.id == finding]
    assert (row.origin, row.status, row.reason) == ("manual", "confirmed",
                                                    "manual: marked by an analyst")
    ids = add_manual_text(project, doc, "Hjemmeplejen", "name", "mette")
    assert len(ids) == 1
    before = scan_project(project)
    assert before.added == 0 and finding in {r.id for r in list_findings(project)}


@pytest.mark.parametrize("args", [(99, 0, 3, "name"), (1, 5, 5, "name"), (1, -1, 3, "name"),
                                  (1, 0, 10**9, "name"), (1, 0, 3, "person")])
def test_add_manual_refuses_bad_input(project, args) -> None:
    with pytest.raises(UsageError) as caught:
        add_manual(project, *args, "mette")
    assert "\n" not in str(caught.value) and caught.value.danish


def test_no_personal_data_in_events_or_errors(project) -> None:
    scan_project(project)
    rows = list_findings(project)
    decide(project, [r.id for r in rows], "confirmed", "mette")
    doc = rows[0].document_id
    add_manual(project, doc, 0, 3, "name", "mette")
    with pytest.raises(UsageError) as caught:
        add_manual_text(project, doc, "Peter Hansen Jr.", "name", "mette")
    payloads = " ".join(p for (p,) in project.execute("SELECT payload FROM events"))
    for row in rows:
        assert row.text not in payloads and row.entity not in payloads
    assert "Peter" not in str(caught.value) and "Peter" not in caught.value.danish


def test_import_warns_about_cpr_numbers_without_printing_them(tmp_path: Path) -> None:
    db = open_db(":memory:")
    (tmp_path / "a.txt").write_text("Borgerens nummer er 010203-1234 og 0102051234.\n",
                                    encoding="utf-8")
    (tmp_path / "b.txt").write_text("Ingen numre her, kun 4500 kr.\n", encoding="utf-8")
    report = import_paths(db, [tmp_path / "a.txt", tmp_path / "b.txt"], ReadOptions())
    first, second = report.files
    assert first.warnings == [f"{tmp_path / 'a.txt'}: holds 2 CPR-like numbers; run "
                              "`kvali pii scan` to review the personal data"]
    assert second.warnings == []
