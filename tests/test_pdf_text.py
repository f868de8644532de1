"""Text that came from PDFs: hard line breaks, split words, lists and headings, pages."""

from __future__ import annotations

import pytest
from test_documents import texts, write_pdf

from kvali.ingest.model import ReadOptions
from kvali.ingest.pdf import read_pdf
from kvali.ingest.registry import read_source
from kvali.ingest.unwrap import is_split_word, join_two, unwrap_text
from kvali.nlp.pipeline import load_pipeline

WRAPPED = """Netværket i kommunerne
National opfølgning 2024

Rapporten samler resultaterne af en undersøgelse, som er gjort på vegne af
Socialstyrelsen, og den viser, hvordan kommunerne arbejder med netværket.
Undersøgelsen bygger på svar fra alle landets kommuner og på besøg i seks
kommuner, hvor ledere og rådgivere har fortalt om deres praksis i sagerne.

De fleste kommuner inddrager netværket i enkelte sager, men kun et fåtal
gør det systematisk. Forskellen mellem store og små kommuner er markant,
og den hænger sammen med, hvordan opgaven er organiseret i kommu
nerne. I de store kommuner ligger ansvaret ofte i en særskilt enhed med
egne koordinatorer, mens opgaven i de mindre ligger hos den enkelte
rådgiver.

1. Organisering
Kommunerne peger på tre forhold, som gør arbejdet svært i den daglige
praksis hos rådgiverne:
- tid til forberedelse af møderne
- viden om metoderne
- opbakning fra ledelsen

Kilde: Spørgeskemaundersøgelse blandt kommunerne, 2024.
"""
"""A report as `pdftotext` writes it: lines wrapped at about 75 characters, a heading block, a
word split without a hyphen ("kommu" | "nerne"), a line that starts with a name in the middle
of a sentence ("på vegne af" | "Socialstyrelsen,"), a list and a caption."""


def read_report(tmp_path, text: str, **options: str):
    (tmp_path / "rapport.txt").write_text(text, encoding="utf-8")
    return read_source(tmp_path / "rapport.txt", ReadOptions(**options)).documents[0]


def test_a_hard_wrapped_report_is_stored_as_paragraphs(tmp_path):
    document = read_report(tmp_path, WRAPPED)
    paragraphs = texts(document)
    assert document.kind == "report"
    assert paragraphs[0] == "Netværket i kommunerne\nNational opfølgning 2024", "a title block"
    assert paragraphs[1].startswith("Rapporten samler") and "\n" not in paragraphs[1]
    assert "gjort på vegne af Socialstyrelsen, og den viser" in paragraphs[1]
    assert "\n" not in paragraphs[2]
    assert "organiseret i kommunerne. I de store" in paragraphs[2]
    assert paragraphs[3].split("\n") == [
        "1. Organisering",
        "Kommunerne peger på tre forhold, som gør arbejdet svært i den daglige praksis hos "
        "rådgiverne:",
        "- tid til forberedelse af møderne", "- viden om metoderne", "- opbakning fra ledelsen"]
    assert paragraphs[4] == "Kilde: Spørgeskemaundersøgelse blandt kommunerne, 2024."


def test_segments_point_into_the_stored_text_and_sentences_are_whole(tmp_path):
    document = read_report(tmp_path, WRAPPED)
    nlp = load_pipeline()
    sentences = []
    for block in document.blocks:
        doc = nlp(document.text[block.start:block.end])
        for sentence in doc.sents:
            start = block.start + sentence.start_char
            end = block.start + sentence.end_char
            assert document.text[start:end] == sentence.text
            sentences.append(sentence.text)
    assert not [s for s in sentences if s[:1].islower()], "no sentence starts mid-clause"
    assert any(s.startswith("Rapporten samler") and "Socialstyrelsen, og" in s
               for s in sentences)


def test_short_lines_are_not_taken_for_hard_wrapping(tmp_path):
    text = ("Titel\nUndertitel\n\nEt afsnit på én linje, som analytikeren selv har skrevet.\n"
            "Figur 1: Andel kommuner\nRegion Sjælland: 22 pct.\nKilde: Spørgeskema, 2024.\n")
    assert read_report(tmp_path, text).text == text
    assert unwrap_text(text) == text


def test_transcripts_are_never_unwrapped(tmp_path):
    turns = "\n\n".join(f"I: Spørgsmål {n}?\n\nIP1: {WRAPPED.split(chr(10) * 2)[2]}"
                        for n in range(3))
    document = read_report(tmp_path, turns)
    assert document.kind == "interview" and document.text == turns
    assert "kommu\nnerne" in document.text
    assert "kommunerne. I de store" in read_report(tmp_path, turns, kind="report").text
    wrapped_turns = turns.replace("?\n\nIP1: ", ", og hvordan arbejder I med netværket, når "
                                  "sagerne bliver mere komplekse?\nIP1: ")
    assert "\nIP1: " in read_report(tmp_path, wrapped_turns, kind="report").text, (
        "a label line is never joined, so the document can be set to interview later")


@pytest.mark.parametrize(("left", "right", "joined"), [
    ("i kommu", "nerne siger", "i kommunerne siger"),
    ("flere indsat", "ser", "flere indsat ser"),  # both halves are words: left alone
    ("for", "mål", "for mål"),
    ("på vegne af", "Socialstyrelsen,", "på vegne af Socialstyrelsen,"),
    ("i alt", "97 pct.", "i alt 97 pct."),
    ("et tæt sam-", "arbejde", "et tæt samarbejde"),
])
def test_join_two_mends_split_words_only_when_the_join_is_a_word(left, right, joined):
    assert join_two(left, right) == joined
    assert is_split_word(left, right) == (joined == left + right)


PDF_PAGES = [
    [
        (72, 800, 9, "Netværk i kommunerne"),
        (72, 760, 16, "Indledning"),
        (72, 730, 11, "Undersøgelsen er gjort på vegne af"),
        (72, 716, 11, "Socialstyrelsen, og den viser praksis i kommu"),
        (72, 702, 11, "nerne."),
        (72, 674, 11, "Et nyt afsnit om rådgivernes arbejde."),
        (290, 40, 9, "1"),
    ],
    [
        (72, 800, 9, "Netværk i kommunerne"),
        (72, 760, 11, "Rådgiverne har for lidt tid i kommu"),
        (72, 746, 11, "nerne og savner viden."),
        (290, 40, 9, "2"),
    ],
]


def test_pdf_paragraphs_join_split_words_and_keep_their_pages(tmp_path):
    path = write_pdf(tmp_path / "rapport.pdf", PDF_PAGES)
    document = read_pdf(path, ReadOptions()).documents[0]
    assert [(b.page, t) for b, t in zip(document.blocks, texts(document), strict=True)] == [
        (1, "Indledning"),
        (1, "Undersøgelsen er gjort på vegne af Socialstyrelsen, og den viser praksis i "
            "kommunerne."),
        (1, "Et nyt afsnit om rådgivernes arbejde."),
        (2, "Rådgiverne har for lidt tid i kommunerne og savner viden."),
    ]
    assert "Netværk i kommunerne" not in document.text


def test_numbers_links_tables_and_contents_lines_in_hard_wrapped_text():
    text = ("Flest kommuner oplever udfordringer med en tidlig indsats, jf. figur\n"
            "20. I arbejdet med målgruppen nævner kommunerne især manglen på tid og\n"
            "viden hos rådgiverne, og mange peger på behovet for bedre redskaber.\n\n"
            "Indledning til undersøgelsen af kommunernes arbejde ................ 2\n"
            "Organisering, styring og kvalitet på det specialiserede område ..... 7\n\n"
            "Samarbejdet på tværs af kommunale indsatser til børn og unge 80 0,52\n"
            "Sikre relevant og effektivt samarbejde med relevante kommuner 75 0,43\n\n"
            "Rapporten kan hentes på styrelsens hjemmeside, hvor den ligger under\n"
            "https://www.example.dk/rapporter/kommunernes-arbejde-med-netvaerket\n")
    paragraphs = unwrap_text(text).split("\n\n")
    assert paragraphs[0] == (
        "Flest kommuner oplever udfordringer med en tidlig indsats, jf. figur 20. I arbejdet "
        "med målgruppen nævner kommunerne især manglen på tid og viden hos rådgiverne, og "
        "mange peger på behovet for bedre redskaber.")
    assert paragraphs[1:] == text.split("\n\n")[1:], "contents, table rows and a link stay"


def test_running_heads_and_page_numbers_between_form_feeds_are_dropped(tmp_path):
    pages = WRAPPED.split("\n\n")
    paged = "\f".join(f"Netværk i kommunerne 2024\n\n{page}\n\n{number}\n"
                      for number, page in enumerate(pages[1:4], 1))
    document = read_report(tmp_path, paged)
    assert "Netværk i kommunerne 2024" not in document.text
    assert [t.split(" ", 2)[:2] for t in texts(document)] == [
        ["Rapporten", "samler"], ["De", "fleste"], ["1.", "Organisering\nKommunerne"]]
    assert "organiseret i kommunerne. I de store" in document.text


def test_a_sentence_that_runs_over_a_page_break_stays_one_paragraph(tmp_path):
    lines = WRAPPED.split("\n\n")[2].split("\n")
    first, second = "\n".join(lines[:2]), "\n".join(lines[2:])
    paged = (f"Netværk 2024\n{first}\n1\n\fNetværk 2024\n{second}\n2\n"
             f"\fNetværk 2024\nSidste side med en kort konklusion.\n3\n")
    document = read_report(tmp_path, paged)
    assert texts(document)[0] == (
        "De fleste kommuner inddrager netværket i enkelte sager, men kun et fåtal gør det "
        "systematisk. Forskellen mellem store og små kommuner er markant, og den hænger sammen "
        "med, hvordan opgaven er organiseret i kommunerne. I de store kommuner ligger ansvaret "
        "ofte i en særskilt enhed med egne koordinatorer, mens opgaven i de mindre ligger hos "
        "den enkelte rådgiver.")
    assert "Netværk 2024" not in document.text and "\n1\n" not in document.text


def test_pdf_list_items_are_paragraphs_but_a_number_in_a_sentence_is_not(tmp_path):
    pages = [[(72, 760, 11, "Kommunerne nævner især tre ting, jf. figur"),
              (72, 746, 11, "20. Det drejer sig om:"),
              (72, 732, 11, "- tid til forberedelse"),
              (72, 718, 11, "- viden om metoderne")]]
    document = read_pdf(write_pdf(tmp_path / "liste.pdf", pages), ReadOptions()).documents[0]
    assert [(b.page, t) for b, t in zip(document.blocks, texts(document), strict=True)] == [
        (1, "Kommunerne nævner især tre ting, jf. figur 20. Det drejer sig om:"),
        (1, "- tid til forberedelse"), (1, "- viden om metoderne")]


def test_a_paragraph_cut_mid_sentence_by_a_blank_line_is_joined(tmp_path):
    text = ("Netværksarbejdet\n\nmaj 2024\n\n"
            "Kommunerne oplever en stor tilgang af unge med alvorlige og komplekse psykiatriske\n\n"
            "problemstillinger, og det stiller nye krav til rådgiverne.\n\n"
            "## Kapitel 2 om kommunernes arbejde med netværket og de pårørende i sagerne\n\n"
            "tabellen viser fordelingen.\n")
    assert texts(read_report(tmp_path, text)) == [
        "Netværksarbejdet", "maj 2024",
        "Kommunerne oplever en stor tilgang af unge med alvorlige og komplekse psykiatriske "
        "problemstillinger, og det stiller nye krav til rådgiverne.",
        "## Kapitel 2 om kommunernes arbejde med netværket og de pårørende i sagerne",
        "tabellen viser fordelingen."]
