"""Søg: every hit shown in context links to the Dokumenter reader at the hit (issue 11)."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs

import pyarrow as pa
from streamlit.testing.v1 import AppTest
from test_ui_support import APP, no_failures

from kvali.municipalities import REGIONS
from kvali.search import Hit
from kvali.search.kwic import Kwic
from kvali.store import open_db
from kvali.ui.navigation import DOCUMENT_PARAM, END_PARAM, READER, START_PARAM
from kvali.ui.pages.search import hit_span

MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def search_in_app(query: str) -> AppTest:
    """The whole app (so that app.run remembers its pages), on Søg, after searching `query`.

    AppTest.switch_page only accepts page files and the workbench's pages are functions, so the
    page is chosen by the script hash that st.navigation registered for its url_path.
    """
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["kvali.coder"] = "mette"
    at.run()
    at._page_hash = page_hash(at, "soeg")
    at.run()
    assert at.title[0].value == "Søg"
    at.text_input(key="kvali.search.query").input(query).run()
    no_failures(at)
    return at


def page_hash(at: AppTest, url_path: str) -> str:
    """The script hash of the navigation page at `url_path`."""
    return next(page for page, info in at._registered_pages.items()
                if info.get("url_pathname") == url_path)


def hit_blocks(at: AppTest) -> list[str]:
    """The HTML of the hits shown in context, in page order."""
    return [h.proto.body for h in at.get("html") if 'class="kv-hit"' in h.proto.body]


def reader_targets(at: AppTest) -> list[tuple[int, int, int]]:
    """(document, fra, til) of every reader link on the page, in page order."""
    targets = []
    for link in at.get("page_link"):
        assert link.proto.page == READER
        assert link.proto.page_script_hash == page_hash(at, READER)
        params = parse_qs(link.proto.query_string)
        targets.append((int(params[DOCUMENT_PARAM][0]), int(params[START_PARAM][0]),
                        int(params[END_PARAM][0])))
    return targets


def document_texts(project: Path) -> dict[int, str]:
    db = open_db(project, create=False)
    try:
        return dict(db.execute("SELECT id, text FROM documents").fetchall())
    finally:
        db.close()


def test_every_hit_links_to_the_reader_at_its_matched_word(project: Path) -> None:
    at = search_in_app("frivillig")
    assert at.markdown[0].value.startswith("**4** hits")
    blocks = hit_blocks(at)
    targets = reader_targets(at)
    assert len(blocks) == len(targets) == 4
    texts = document_texts(project)
    assert len({document for document, _, _ in targets}) == 3  # both transcripts and the survey
    for block, (document, start, end) in zip(blocks, targets, strict=True):
        word = texts[document][start:end]
        assert word.lower().startswith("frivillig")
        assert [unescape(m) for m in MARK.findall(block)] == [word], "the link is its own hit's"


def test_links_of_hits_in_hostile_text_are_exact_and_the_text_stays_escaped(
        project: Path) -> None:
    at = search_in_app("netværket")
    texts = document_texts(project)
    targets = reader_targets(at)
    assert targets and len(targets) == len(hit_blocks(at))
    for block, (document, start, end) in zip(hit_blocks(at), targets, strict=True):
        assert texts[document][start:end].lower().startswith("netværk")  # also inflected
        assert [unescape(m) for m in MARK.findall(block)] == [texts[document][start:end]]
    hostile = [block for block in hit_blocks(at) if "xss" in block]
    assert hostile and all("<script>" not in b and "<img" not in b for b in hostile)


def test_a_hit_without_a_marked_match_opens_its_whole_segment() -> None:
    def hit(kwic: Kwic) -> Hit:
        return Hit(segment_id=1, document="d", document_id=7, start=100, end=130,
                   text="x" * 30, kwic=kwic, score=1.0)

    assert hit_span(hit(Kwic("", "", "x" * 30, 0, 0))) == (100, 130)
    assert hit_span(hit(Kwic("xx", "xxx", "x" * 25, 2, 5))) == (102, 105)


def test_region_chart_shows_each_region_with_its_municipalities_with_hits(project: Path) -> None:
    at = search_in_app("frivillig")
    [chart] = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    [rows] = [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]
    assert list(rows["Region"]) == list(REGIONS)
    assert rows["I alt"].sum() == 98
    assert (rows["Kommuner med hits"] <= rows["I alt"]).all()
    mentioning = int(re.search(r"\*\*(\d+)\*\* af 98", at.markdown[0].value).group(1))
    assert 0 < rows["Kommuner med hits"].sum() == mentioning
    assert [layer["encoding"]["x"]["field"] for layer in spec["layer"]] == \
        ["I alt", "Kommuner med hits"]  # the hits' bar is drawn over the region's whole bar
    assert all(layer["encoding"]["y"]["axis"]["labelLimit"] == 0 for layer in spec["layer"])
