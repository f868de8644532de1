"""Document text is data, never markup: escaping, highlight offsets, overlaps and colours."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from kvali.ui.render import Highlight, highlight_html, legend_html, md, safe_color

HOSTILE = ('Før <script>window.__xss=1</script> og <img src=x onerror="alert(1)"> samt '
           "[klik her](javascript:alert(1)) og **fed** <b>tekst</b> & æøå.")


class _Collector(HTMLParser):
    """Tags and the text inside highlight spans, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.marked: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)
        self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._depth:
            self.marked.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def test_plain_text_is_escaped_and_reads_back_exactly() -> None:
    html = highlight_html(HOSTILE, [])
    parsed = parse(html)
    assert parsed.tags == []
    assert "".join(parsed.text) == HOSTILE
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_hostile_text_inside_highlights_stays_literal() -> None:
    start = HOSTILE.index("<script>")
    end = HOSTILE.index("alert(1)) og") + len("alert(1))")
    html = highlight_html(HOSTILE, [Highlight(start, end, "#2E7D32", "Netværk")])
    parsed = parse(html)
    assert set(parsed.tags) == {"span"}
    assert {name for name, _ in parsed.attributes} <= {"class", "data-lanes", "title", "style"}
    assert not any(name.startswith("on") for name, _ in parsed.attributes)
    assert "".join(parsed.text) == HOSTILE
    assert "".join(parsed.marked) == HOSTILE[start:end]
    assert "javascript:alert(1)" in "".join(parsed.marked)
    assert "[klik her]" in "".join(parsed.marked)


def test_highlights_land_on_the_right_characters() -> None:
    text = "Vi holder netværksmøder med de pårørende hver måned."
    a = text.index("netværksmøder")
    b = text.index("pårørende")
    html = highlight_html(text, [Highlight(a, a + 13, "#66BB6A", "Møder"),
                                 Highlight(b, b + 9, "#1565C0", "Pårørende")])
    parsed = parse(html)
    assert parsed.marked == ["netværksmøder", "pårørende"]
    assert "".join(parsed.text) == text


def test_overlapping_codes_are_both_visible() -> None:
    text = "abcdefghij"
    html = highlight_html(text, [Highlight(0, 6, "#FF0000", "A"), Highlight(3, 9, "#0000FF", "B")])
    pieces = re.findall(r'<span class="kv-hl" data-lanes="(\d)" title="([^"]*)" style="([^"]*)">'
                        r"([^<]*)</span>", html)
    assert [(lanes, title, text) for lanes, title, _, text in pieces] == [
        ("1", "A", "abc"), ("2", "A; B", "def"), ("1", "B", "ghi")]
    overlap_style = pieces[1][2]
    assert "#FF0000" in overlap_style and "#0000FF" in overlap_style
    # B keeps its own lane (lane 1, drawn above lane 0) where A has ended
    assert "calc(100% - 4px)" in pieces[2][2]
    assert html.endswith("j")


def test_nested_and_identical_spans_and_clipping() -> None:
    text = "ét to tre"
    html = highlight_html(text, [Highlight(-5, 100, "#111111", "Alt"),
                                 Highlight(3, 5, "#222222", "To"),
                                 Highlight(3, 5, "#333333", "Også to"),
                                 Highlight(4, 4, "#444444", "Tom")])
    parsed = parse(html)
    assert "".join(parsed.text) == text
    assert 'data-lanes="3"' in html
    assert "Tom" not in html


def test_colours_must_be_hex_and_labels_are_escaped() -> None:
    assert safe_color("#a1b2c3") == "#A1B2C3"
    for bad in ("red", "#12345", "#1234567", "#12345g", 'x;background:url("javascript:1")', None):
        assert safe_color(bad) == "#888888"
    html = highlight_html("tekst", [Highlight(0, 5, 'red;"><script>', '"><img src=x>')])
    assert "<script" not in html and "<img" not in html
    assert "#888888" in html
    assert unescape(re.search(r'title="([^"]*)"', html).group(1)) == '"><img src=x>'
    legend = legend_html([("<b>Kode</b>", "javascript:alert(1)")])
    assert "<b>" not in legend and "javascript" not in legend


def test_markdown_text_is_escaped_for_captions_and_headers() -> None:
    assert md("Se [her](javascript:alert(1)) <b>fed</b> *x* _y_ :red[z]") == (
        "Se \\[her\\](javascript\\:alert(1)) \\<b\\>fed\\</b\\> \\*x\\* \\_y\\_ \\:red\\[z\\]")
    assert md("- punkt\n1. liste\n# titel") == "\\- punkt\n1\\. liste\n\\# titel"
    assert md("Segmentet er kodet med »Netværk«.") == "Segmentet er kodet med »Netværk«."
