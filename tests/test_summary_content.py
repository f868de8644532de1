"""What a theme summary says, whatever its layout: which codings it counts and quotes by default
and on request, quotes rolled up from sub-codes like the counts, the cover and appendix facts,
`--explain`, and the app's download and page using the same default."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database
from test_export_project import build_export_project
from test_no_leaks import build_project as build_private_project
from test_ui_support import build_project as build_ui_project
from test_ui_support import no_failures, page_test

from kvali.cli import cli
from kvali.codebook.model import subtrees
from kvali.domain import HUMAN_STATUSES, SHOWN_STATUSES
from kvali.export.downloads import summary_bytes
from kvali.export.records import coding_records
from kvali.export.summary import Summary, build_summary, explanation, summary_selection
from kvali.selection import Selection
from kvali.store import open_db

SUGGESTED = Selection(status=("suggested",))
SUGGESTION_TEXT = "Kommunerne arbejder forskelligt med netværket."
"""The one pending suggestion of the export project (a sentence of the report)."""


@pytest.fixture(scope="module")
def project_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_export_project(tmp_path_factory.mktemp("content"))


@pytest.fixture(scope="module")
def project(project_path: Path) -> Database:
    return open_db(project_path, create=False)


@pytest.fixture(scope="module")
def summary(project: Database) -> Summary:
    return build_summary(project, max_quote_chars=200)


def quotes_of(summary: Summary) -> list:
    return [quote for section in summary.sections for quote in section.quotes]


def document_text(db: Database, document_id: int) -> str:
    return db.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()[0]


def test_by_default_only_what_the_analyst_decided_counts(project: Database,
                                                         summary: Summary) -> None:
    assert summary.statuses == HUMAN_STATUSES
    assert "Status: accepteret, manuel" in summary.filters
    assert all(q.record.status in HUMAN_STATUSES and not q.suggested for q in quotes_of(summary))
    assert all(SUGGESTION_TEXT not in q.text for q in quotes_of(summary))
    everything = build_summary(project, Selection(status=SHOWN_STATUSES))
    counts = {s.key: s.segments for s in summary.sections}
    assert {s.key: s.segments for s in everything.sections}["netvaerk"] == counts["netvaerk"] + 1
    assert "kvali" not in summary.coders and "kvali" in everything.coders


def test_suggestions_count_when_asked_for_and_are_marked(project: Database) -> None:
    asked = build_summary(project, SUGGESTED)
    assert asked.statuses == ("suggested",)
    quotes = quotes_of(asked)
    assert [q.text for q in quotes] == [SUGGESTION_TEXT]
    assert quotes[0].suggested and "forslag (ikke gennemgået)" in quotes[0].reasons
    assert "forslag" in asked.selection and asked.coders == ["kvali"]
    both = build_summary(project, Selection(status=("suggested", "manual")), quotes_per_code=50)
    assert {q.record.status for q in quotes_of(both)} == {"suggested", "manual"}


def test_theme_quotes_come_from_the_same_codings_as_its_counts(project: Database) -> None:
    narrowed = build_summary(project, Selection(code=("netvaerk.overgange",)))
    theme, sub = narrowed.sections
    assert (theme.key, sub.key) == ("netvaerk", "netvaerk.overgange")
    assert theme.segments == sub.segments > 0
    assert theme.quotes, "a theme whose sub-code has quotes must not say 'Ingen citater'"
    assert {q.record.reference for q in theme.quotes} <= \
        {r.reference for r in coding_records(project, summary_selection(
            Selection(code=("netvaerk.overgange",))))}


def test_every_counted_section_has_quotes_from_its_subtree_each_passage_once(
        project: Database, summary: Summary) -> None:
    tree = subtrees(project.execute("SELECT key, parent_key FROM codes").fetchall())
    for section in summary.sections:
        assert bool(section.quotes) == bool(section.segments)
        assert all(q.record.code in tree[section.key] for q in section.quotes)
        references = [q.record.reference for q in section.quotes]
        assert len(references) == len(set(references))
        assert all(q.reasons for q in section.quotes)


@pytest.mark.parametrize("selection", [None, SUGGESTED], ids=["default", "suggested"])
def test_every_quote_is_the_stored_text_apart_from_marked_cuts(project: Database,
                                                               selection) -> None:
    for quote in quotes_of(build_summary(project, selection, max_quote_chars=120)):
        text = document_text(project, quote.record.document_id)
        assert all(part.text == text[part.start:part.end] for part in quote.parts)
        assert quote.parts[0].start == quote.record.start
        assert quote.parts[-1].end == quote.record.end
        assert quote.text == " […] ".join(part.text for part in quote.parts)


def test_the_cover_and_appendix_facts_are_filled(project: Database, summary: Summary) -> None:
    assert summary.created == date.today().isoformat()
    assert summary.project == "export"
    assert summary.coders == ["jonas", "mette"]
    assert summary.codebook_version == "1"
    counted = {r.document_id for r in coding_records(project, summary_selection())}
    assert [s.document_id for s in summary.sources] == sorted(counted)
    files = {s.name: (s.kind, s.file) for s in summary.sources}
    assert files["Gruppeinterview om netværk"] == ("interview", "netvaerk.md")
    assert files["survey: Bemærkninger"] == ("survey", "survey.csv")
    assert all("/" not in s.file for s in summary.sources)
    alpha = next(line for line in summary.agreement if line.startswith("Krippendorffs α"))
    assert "(nominal, segmenter)" in alpha and "kodet af jonas og mette" in alpha
    assert "," in alpha.split(":")[1]  # a Danish decimal comma
    assert any(line.startswith("Cohens κ") for line in summary.agreement)


def test_no_agreement_lines_for_one_coder_and_sources_follow_the_selection(
        project: Database) -> None:
    alone = build_summary(project, Selection(coder=("jonas",)))
    assert alone.agreement == [] and alone.coders == ["jonas"]
    jonas = {r.document_id for r in coding_records(project, summary_selection(
        Selection(coder=("jonas",))))}
    assert {s.document_id for s in alone.sources} == jonas


def test_survey_groups_are_quoted_by_the_same_choice(project: Database,
                                                     summary: Summary) -> None:
    [question] = summary.survey
    assert question.question == "Bemærkninger" and question.answers == 3
    groups = {group.code_key: group for group in question.groups}
    assert set(groups) == {"netvaerk", "civil"}
    survey = {r.reference: r.code for r in coding_records(project, summary_selection())
              if r.kind == "survey"}
    for key, group in groups.items():
        assert group.quotes and all(q.reasons for q in group.quotes)
        assert all(survey[q.record.reference].startswith(key) for q in group.quotes)


def test_pseudonymised_summary_scrubs_document_names(tmp_path: Path) -> None:
    db = open_db(build_private_project(tmp_path / "private"), create=False)
    plain = build_summary(db)
    assert any("Hans Jensen" in s.name for s in plain.sources)
    scrubbed = build_summary(db, pseudonymise=True)
    names = [s.name for s in scrubbed.sources]
    assert not any("Hans" in n or "Jensen" in n for n in names)
    assert any("[Person" in n for n in names)
    assert not any("Jensen" in reason for q in quotes_of(scrubbed) for reason in q.reasons)
    db.close()


def test_hand_made_codings_find_the_themes_words_by_the_codebook_rules(tmp_path: Path) -> None:
    db = open_db(build_private_project(tmp_path / "rules"), create=False)
    quotes = quotes_of(build_summary(db, quotes_per_code=20))
    db.close()
    assert quotes and all(q.record.origin == "manual" for q in quotes)
    for quote in quotes:
        named = any(r.casefold().startswith("indeholder 'netværk") for r in quote.reasons)
        assert named == ("netværk" in quote.text.casefold()), (quote.text, quote.reasons)


def test_explanation_lists_each_quote_with_its_reasons(summary: Summary) -> None:
    lines = explanation(summary)
    for section in summary.sections:
        assert f"{section.key} {section.name}" in lines
        for quote in section.quotes:
            assert f"  {quote.record.reference}: {'; '.join(quote.reasons)}" in lines
    assert any("nøglecitat" in line for line in lines)


def test_export_summary_explain_prints_the_reasons(project_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(project_path), "export", "summary", "-o",
                                 str(tmp_path / "s.md"), "--explain"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("wrote ")
    assert "netvaerk.moeder Netværksmøder og rådslagning" in lines
    assert any(line.startswith("  doc:") and "nøglecitat" in line for line in lines)
    suggested = runner.invoke(cli, ["--db", str(project_path), "export", "summary", "-o",
                                    str(tmp_path / "f.md"), "--status", "suggested",
                                    "--explain"])
    assert suggested.exit_code == 0, suggested.output
    assert any("forslag (ikke gennemgået)" in line for line in suggested.output.splitlines())
    quiet = runner.invoke(cli, ["--db", str(project_path), "export", "summary", "-o",
                                str(tmp_path / "q.md")])
    assert not any(line.startswith("  doc:") for line in quiet.output.splitlines())


def test_the_apps_download_uses_the_same_default(project_path: Path) -> None:
    default = summary_bytes(project_path, "md", Selection()).decode("utf-8")
    asked = summary_bytes(project_path, "md", SUGGESTED).decode("utf-8")
    assert SUGGESTION_TEXT not in default
    assert SUGGESTION_TEXT in asked


def test_the_app_says_which_statuses_the_summary_counts(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KVALI_DB", str(build_ui_project(tmp_path)))
    at = page_test("analysis")
    at.radio(key="kvali.analysis.view").set_value("export").run()
    no_failures(at)
    assert at.multiselect(key="kvali.analysis.statuses").value == []
    captions = " ".join(c.value for c in at.caption)
    assert "Tæller kodninger med status accepteret og manuel." in captions
    at.multiselect(key="kvali.analysis.statuses").set_value(["suggested"]).run()
    assert "Tæller kodninger med status forslag." in " ".join(c.value for c in at.caption)
