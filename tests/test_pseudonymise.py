"""Pseudonyms: one number per person across the project and across exports, findings cut by a
span's edge replaced whole, every other character exact, citations that name the replacements,
QDPX positions that point into the pseudonymised sources, and the app's switch."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from test_no_leaks import build_project
from test_ui_support import no_failures, page_test

from kvali.cli import cli
from kvali.export.citations import citation_for
from kvali.export.codings import coding_rows
from kvali.export.records import coding_records
from kvali.export.summary import build_summary
from kvali.privacy.pseudonymise import Pseudonyms, has_confirmed_findings
from kvali.refiqda.export import export_qdpx
from kvali.refiqda.load import import_qdpx
from kvali.selection import Selection
from kvali.store import open_db

PERSON = re.compile(r"\[Person \d+\]")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("pseudonyms"))


@pytest.fixture()
def db(project: Path):
    connection = open_db(project, create=False)
    yield connection
    connection.close()


def texts(db) -> dict[int, str]:
    return dict(db.execute("SELECT id, text FROM documents").fetchall())


def test_same_person_same_number_in_both_documents_and_exports(db) -> None:
    replacing = Pseudonyms.load(db)
    labels = {}
    for document_id, text in texts(db).items():
        for replacement in replacing.span(document_id, 0, text).replacements:
            labels.setdefault(text[replacement.start:replacement.end].split()[0], set()).add(
                replacement.label)
    assert labels["Hans"] == {"[Person 1]"}  # first in document 1
    assert labels["Birgitte"] == {"[Person 2]"}
    rows = list(coding_rows(db, Selection(status=("manual",)), pseudonymise=True))
    by_document = {row["document_id"]: " ".join(r["text"] for r in rows
                                                if r["document_id"] == row["document_id"])
                   for row in rows}
    assert all("[Person 1]" in text and "[Person 2]" in text for text in by_document.values())
    summary = build_summary(db, Selection(status=("manual",)), quotes_per_code=50,
                            pseudonymise=True)
    quoted = {part.text for section in summary.sections for quote in section.quotes
              for part in quote.parts}
    assert quoted <= {row["text"] for row in rows}


def test_text_outside_replacements_is_exact(db) -> None:
    replacing = Pseudonyms.load(db)
    for document_id, text in texts(db).items():
        result = replacing.span(document_id, 0, text)
        pieces, cursor = [], 0
        for replacement in result.replacements:
            pieces.append(text[cursor:replacement.start])
            cursor = replacement.end
        pieces.append(text[cursor:])
        assert re.split(r"\[(?:Person \d+|CPR|Adresse|Telefon|E-mail)\]", result.text) == pieces


def test_a_finding_cut_by_the_span_is_replaced_whole(db) -> None:
    replacing = Pseudonyms.load(db)
    text = texts(db)[1]
    name = text.index("Hans Jensen")
    cpr = text.index("010203-1234")
    inner = replacing.span(1, name + 3, text[name + 3:cpr + 4])
    assert inner.text.startswith("[Person 1] har cpr-nummer ")
    assert inner.text.endswith("[CPR]")
    assert "Jensen" not in inner.text and "0102" not in inner.text and "ns" not in inner.text[:3]
    assert inner.labels == ("[Person 1]", "[CPR]")
    middle = replacing.span(1, name + 2, text[name + 2:name + 6])
    assert middle.text == "[Person 1]"


def test_positions_map_through_replacements(db) -> None:
    replacing = Pseudonyms.load(db)
    text = texts(db)[1]
    result = replacing.span(1, 0, text)
    after = text.index(" har cpr-nummer")
    assert result.text[result.position(after):].startswith(" har cpr-nummer")
    name = text.index("Hans Jensen")
    assert result.position(name + 4) == result.position(name)
    assert result.text[result.position(name):result.position(name + 4, end=True)] == \
        "[Person 1]"


def test_citation_lists_the_replacements(db) -> None:
    record = next(r for r in coding_records(db, Selection(status=("manual",)))
                  if r.document_id == 1 and r.start > 30)
    citation = citation_for(record, pseudonymised=("[Person 3]", "[CPR]"))
    assert citation.text().endswith(
        f"[doc:1:{record.start}-{record.end}; pseudonymiseret: [Person 3], [CPR]]")
    assert citation_for(record).text().endswith(f"[doc:1:{record.start}-{record.end}]")
    summary = build_summary(db, Selection(status=("manual",)), quotes_per_code=50,
                            pseudonymise=True, anonymise=True)
    for quote in (q for s in summary.sections for q in s.quotes):
        assert list(quote.citation.pseudonymised) == list(dict.fromkeys(
            re.findall(r"\[(?:Person \d+|CPR|Adresse|Telefon|E-mail)\]", quote.text)))
        assert "Aarhus," not in quote.citation.text()  # --anonymise still holds


def test_qdpx_positions_point_at_the_pseudonymised_text(db, tmp_path: Path) -> None:
    target = tmp_path / "p.qdpx"
    export_qdpx(db, target, statuses=("manual",), pseudonymise=True)
    rows = {(row["document_id"], row["start"], row["end"]): row["text"]
            for row in coding_rows(db, Selection(status=("manual",)), pseudonymise=True)}
    with zipfile.ZipFile(target) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        ns = {"q": root.nsmap[None]}
        checked = 0
        for source in root.iterfind(".//q:TextSource", ns):
            path = source.get("plainTextPath").removeprefix("internal://")
            text = archive.read(f"sources/{path}").decode("utf-8")
            for selection in source.iterfind("q:PlainTextSelection[q:Coding]", ns):
                quoted = text[int(selection.get("startPosition")):
                              int(selection.get("endPosition"))]
                assert quoted in rows.values()
                checked += 1
    assert checked == len(rows) and any(PERSON.search(t) for t in rows.values())


def test_a_pseudonymised_qdpx_imports_with_its_kvali_structure(db, tmp_path: Path) -> None:
    """The kvali member of a pseudonymised archive describes the pseudonymised texts, so the
    re-import keeps turns, speakers and codings on the same (pseudonymised) words."""
    target = tmp_path / "p.qdpx"
    export_qdpx(db, target, pseudonymise=True)
    after = open_db(tmp_path / "after.db")
    report = import_qdpx(after, target)
    assert report.skipped == []
    rows = {(row["document_id"], row["start"], row["end"]): row["text"]
            for row in coding_rows(db, Selection(), pseudonymise=True)}
    quoted = sorted(text[start:end] for text, start, end in after.execute(
        'SELECT d.text, c.start, c."end" FROM codings c JOIN documents d ON d.id = c.document_id'))
    assert quoted == sorted(rows.values())
    assert sorted(after.execute("SELECT label FROM speakers")) == sorted(
        (Pseudonyms.load(db).scrub(label),) for (label,) in db.execute(
            "SELECT label FROM speakers"))
    assert not any("Hans" in text for (text,) in after.execute("SELECT text FROM documents"))


def test_search_json_keeps_stored_offsets_when_pseudonymised(project: Path) -> None:
    """`kvali search --json --pseudonymise`: start, end and the match's start and end are the
    stored text's offsets, as without the flag (a replacement before the match in the same
    segment moves it in the pseudonymised text), and the KWIC is cut from the text shown."""
    def hits(*flags: str) -> list[dict]:
        result = CliRunner().invoke(cli, ["--db", str(project), "search", "netværk", "--json",
                                           *flags])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["hits"]

    plain, hidden = hits(), hits("--pseudonymise")
    connection = open_db(project, create=False)
    stored = texts(connection)
    connection.close()
    assert [h["segment_id"] for h in plain] == [h["segment_id"] for h in hidden]
    moved = 0
    for before, after in zip(plain, hidden, strict=True):
        assert (after["start"], after["end"], after["match_start"], after["match_end"]) == \
            (before["start"], before["end"], before["match_start"], before["match_end"])
        word = stored[after["document_id"]][after["match_start"]:after["match_end"]]
        assert after["kwic"]["match"] == before["kwic"]["match"] == word
        assert after["text"].startswith(after["kwic"]["left"].lstrip("…"))
        moved += len(after["kwic"]["left"]) != len(before["kwic"]["left"])
    assert moved  # "20 30 40 50" → "[Telefon]" before "netværk" in one turn


def test_no_findings_no_change(db) -> None:
    none = Pseudonyms.none()
    text = texts(db)[1]
    assert none.span(1, 0, text).text == text and none.scrub("Hans Jensen") == "Hans Jensen"
    stored = texts(db)
    assert all(row["text"] == stored[row["document_id"]][row["start"]:row["end"]]
               and row["pseudonymised"] == [] for row in coding_rows(db))


def test_app_switch_is_on_when_findings_are_confirmed(project: Path, monkeypatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setenv("KVALI_DB", str(project))
    at = page_test("analysis")
    at.radio(key="kvali.analysis.view").set_value("export").run()
    no_failures(at)
    assert at.toggle(key="kvali.analysis.pseudonymise").value is True
    empty = build_project(tmp_path / "empty")
    db = open_db(empty, create=False)
    db.execute("UPDATE pii_findings SET status = 'dismissed'")
    db.conn.commit()
    assert not has_confirmed_findings(db)
    db.close()
    monkeypatch.setenv("KVALI_DB", str(empty))
    at = page_test("analysis")
    at.radio(key="kvali.analysis.view").set_value("export").run()
    assert at.toggle(key="kvali.analysis.pseudonymise").value is False
