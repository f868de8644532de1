"""The Enighed page (AppTest): choosing coders, the table and explanations, the documents
compared, the disagreements with their buttons, and settling one as the consensus."""

from __future__ import annotations

from pathlib import Path

from test_agreement import coded
from test_ui_support import no_failures, page_test, toasts

from kvali.agreement.consensus import CONSENSUS_CODER
from kvali.coding.store import add_manual_coding
from kvali.store import open_db


def chosen(project: Path, *coders: str):
    at = page_test("agreement")
    at.multiselect(key="kvali.agreement.coders").set_value(list(coders))
    return at.run()


def test_asks_for_two_coders(project: Path) -> None:
    coded(project)
    at = page_test("agreement")
    no_failures(at)
    assert at.title[0].value == "Enighed"
    assert at.multiselect(key="kvali.agreement.coders").options == ["jens", "mette"]
    assert "Vælg mindst to kodere" in at.info[0].value


def test_table_explanations_and_disagreements(project: Path) -> None:
    coded(project)
    at = chosen(project, "mette", "jens")
    no_failures(at)
    [table] = at.dataframe
    # Two coders: Fleiss' κ does not apply, so the table has no column of "None" for it.
    assert list(table.value.columns) == ["Kode", "Enheder", "Enighed (%)", "Cohens κ",
                                         "Krippendorffs α", "Krippendorffs αu"]
    assert list(table.value["Kode"]) == ["Netværk", "Civilsamfund", "Alle koder"]
    metrics = {m.label: m for m in at.metric}
    assert metrics["Krippendorffs α"].proto.help.count("0,800") == 1
    assert metrics["Fleiss' κ"].value == "–"
    captions = [c.value.replace("\\", "") for c in at.caption]  # md() escapes
    assert any("Sammenlignet i 1 dokument(er): Gruppeinterview om netværk" in c
               for c in captions)
    assert any(c.startswith("Ikke med") for c in captions)
    assert "Uenigheder (2)" in [h.value for h in at.subheader]
    buttons = [b.label for b in at.button]
    assert buttons.count("Behold mettes version") == 2 and "Behold jens' version" in buttons
    assert len(at.get("download_button")) == 2


def test_keep_a_version_writes_the_consensus(project: Path) -> None:
    coded(project)
    at = chosen(project, "mette", "jens")
    at.button(key="kvali.agreement.disagreement.0.mette").click().run()
    no_failures(at)
    assert "mettes version er gemt som konsensus." in toasts(at)
    db = open_db(project)
    assert db.execute('SELECT start, "end" FROM codings WHERE coder = ?',
                      [CONSENSUS_CODER]).fetchall() == [(97, 139)]
    assert any("Afgjort: mettes version" in c.value.replace("\\", "") for c in at.caption)


def test_coder_names_stay_literal_text(project: Path) -> None:
    coded(project)
    db = open_db(project)
    name = "**<b>x</b>**"
    add_manual_coding(db, 3, "civil", name)
    add_manual_coding(db, 2, "netvaerk", name)
    db.close()
    at = chosen(project, "mette", name)
    no_failures(at)
    assert not at.markdown or all("<b>" not in m.value for m in at.markdown)
    assert any(f"{name}: ikke kodet" in t.value for t in at.text)
