"""The house style of the DOCX theme report: A4 pages, Danish language, and the styles it uses.

Every paragraph and character style (and the document defaults) carries `w:lang da-DK`, so Word
spell-checks the report as Danish; the font is Arial (LibreOffice shows its metric twin,
Liberation Sans). Themes are Heading 1 (large, dark blue, on a new page), sub-themes Heading 2
(smaller, lighter blue); quotes have a style of their own ("Citat": indented with a bar, never
plain italics) with the citation below in "Kildehenvisning"; the code description is a small
shaded "Beskrivelse". A report template can restyle each of them by name.
"""

from __future__ import annotations

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor, Twips
from docx.styles.style import BaseStyle, ParagraphStyle

LANGUAGE = "da-DK"
FONT = "Arial"
A4 = (Twips(11906), Twips(16838))
INK = RGBColor(0x1F, 0x1F, 0x1F)
MUTED = RGBColor(0x59, 0x59, 0x59)
THEME_BLUE = RGBColor(0x1F, 0x38, 0x64)
SUBTHEME_BLUE = RGBColor(0x2E, 0x74, 0xB5)
SUGGESTION_ORANGE = RGBColor(0xC5, 0x5A, 0x11)
QUOTE_BAR = "2E74B5"
DESCRIPTION_SHADE = "EEF2F7"
HEADER_SHADE = "1F3864"

QUOTE_STYLE = "Citat"
CITATION_STYLE = "Kildehenvisning"
DESCRIPTION_STYLE = "Beskrivelse"
CAPTION_STYLE = "Tabeltitel"
NOTE_STYLE = "Anmærkning"
TABLE_TEXT_STYLE = "Tabeltekst"
FIGURE_STYLE = "Figur"
COVER_FACT_STYLE = "Forsidefakta"
CONTENTS_STYLE = "Indholdsoverskrift"
SUGGESTION_STYLE = "Forslagsmærke"

# Elements of w:rPr that come after w:lang (OOXML keeps a fixed order).
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
# The order of w:pPr's children, from w:pBdr on.
_PPR_ORDER = ("w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
              "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
              "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
              "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
# Elements of w:settings that come after w:updateFields and w:themeFontLang.
_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat",
                        "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
                        "w:themeFontLang")
_AFTER_THEME_FONT_LANG = ("w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                          "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                          "w:readModeInkLockDown", "w:smartTagType", "w:schemaLibrary",
                          "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol",
                          "w:listSeparator")


def new_report_document() -> docx.document.Document:
    """An empty A4 document in the report's house style, in Danish."""
    document = docx.Document()
    _page(document)
    _defaults(document)
    _styles(document)
    for style in document.styles.element.findall(qn("w:style")):
        if style.get(qn("w:type")) in ("paragraph", "character", "table"):
            set_language(style.get_or_add_rPr())
    _settings(document)
    document.core_properties.language = LANGUAGE
    _look_up_styles_once(document)
    return document


def _look_up_styles_once(document: docx.document.Document) -> None:
    """Remember the style id of each style name the report uses, once its styles are made.

    python-docx finds a style by name by scanning every style, and then scans them again for
    the default of its type, on each paragraph, heading, table cell and run given a style
    (milliseconds each in this template); the report adds no style after this, so each
    (name, type) is looked up only the first time."""
    part = document.part
    look_up = part.get_style_id
    known: dict[tuple[str, object], str | None] = {}

    def style_id(style_or_name: object, style_type: object) -> str | None:
        if not isinstance(style_or_name, str):
            return look_up(style_or_name, style_type)
        key = (style_or_name, style_type)
        if key not in known:
            known[key] = look_up(style_or_name, style_type)
        return known[key]

    part.get_style_id = style_id


def set_language(rPr: OxmlElement) -> None:
    """Give a run-properties element `w:lang w:val="da-DK"` (in its schema place)."""
    lang = rPr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        _insert_before(rPr, lang, _AFTER_LANG)
    lang.set(qn("w:val"), LANGUAGE)


def _insert_before(parent: OxmlElement, child: OxmlElement, successors: tuple[str, ...]) -> None:
    """Insert `child` before the first of `successors` present, else at the end."""
    names = {qn(name) for name in successors}
    for index, existing in enumerate(parent):
        if existing.tag in names:
            parent.insert(index, child)
            return
    parent.append(child)


def _page(document: docx.document.Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = A4
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.25)
    section.different_first_page_header_footer = True  # no page number on the cover


def _defaults(document: docx.document.Document) -> None:
    rPr = document.styles.element.find(qn("w:docDefaults")).find(
        qn("w:rPrDefault")).find(qn("w:rPr"))
    _font(rPr)
    set_language(rPr)


def _font(rPr: OxmlElement) -> None:
    """Arial for every script slot, overriding the theme fonts."""
    fonts = rPr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rPr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT)


def _styles(document: docx.document.Document) -> None:
    styles = document.styles
    normal = _paragraph(document, "Normal", size=10.5, colour=INK, after=8)
    normal.paragraph_format.line_spacing = 1.15
    title = _paragraph(document, "Title", size=28, colour=THEME_BLUE, bold=True, before=110,
                       after=18)
    _remove_borders(title)
    _paragraph(document, "Subtitle", size=14, colour=MUTED, after=30)
    heading1 = _paragraph(document, "Heading 1", size=18, colour=THEME_BLUE, bold=True,
                          before=0, after=14)
    heading1.paragraph_format.page_break_before = True
    _paragraph(document, "Heading 2", size=14, colour=SUBTHEME_BLUE, bold=True, before=20,
               after=8)
    _paragraph(document, "Heading 3", size=11.5, colour=INK, bold=True, before=14, after=6)
    for level in (1, 2, 3):
        heading = styles[f"Heading {level}"]
        heading.paragraph_format.keep_with_next = True
        heading.font.italic = False
    quote = _paragraph(document, QUOTE_STYLE, size=10.5, colour=INK, before=8, after=2,
                       indent=1.0)
    quote.paragraph_format.right_indent = Cm(1.0)
    quote.paragraph_format.keep_with_next = True
    quote.paragraph_format.keep_together = True
    _left_bar(quote, QUOTE_BAR)
    citation = _paragraph(document, CITATION_STYLE, size=8.5, colour=MUTED, after=12,
                          indent=1.0)
    citation.paragraph_format.keep_together = True
    description = _paragraph(document, DESCRIPTION_STYLE, size=9, colour=MUTED, after=10)
    _shade(description, DESCRIPTION_SHADE)
    caption = _paragraph(document, CAPTION_STYLE, size=9.5, colour=INK, bold=True, before=12,
                         after=4)
    caption.paragraph_format.keep_with_next = True
    _paragraph(document, NOTE_STYLE, size=8, colour=MUTED, after=2)
    table_text = _paragraph(document, TABLE_TEXT_STYLE, size=9, colour=INK, after=0)
    table_text.paragraph_format.line_spacing = 1.0
    figure = _paragraph(document, FIGURE_STYLE, size=9, colour=INK, before=4, after=4)
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.keep_with_next = True
    _paragraph(document, COVER_FACT_STYLE, size=11.5, colour=INK, after=6)
    _paragraph(document, CONTENTS_STYLE, size=18, colour=THEME_BLUE, bold=True, after=14)
    _paragraph(document, "toc 1", size=10.5, colour=INK, bold=True, before=6, after=2)
    for level in (2, 3):
        _paragraph(document, f"toc {level}", size=10, colour=INK, after=2,
                   indent=0.5 * (level - 1))
    _paragraph(document, "Header", size=8, colour=MUTED, after=0)
    _paragraph(document, "Footer", size=8.5, colour=MUTED, after=0)
    _paragraph(document, "List Bullet", size=10.5, colour=INK, after=4)
    mark = styles.add_style(SUGGESTION_STYLE, WD_STYLE_TYPE.CHARACTER)
    mark.font.bold = True
    mark.font.color.rgb = SUGGESTION_ORANGE


def _paragraph(document: docx.document.Document, name: str, *, size: float,
               colour: RGBColor, bold: bool = False, before: float | None = None,
               after: float | None = None, indent: float | None = None) -> ParagraphStyle:
    """The named paragraph style (created from Normal when missing), set as given."""
    styles = document.styles
    if name in [style.name for style in styles]:
        style = styles[name]
    else:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
    style.font.size = Pt(size)
    style.font.color.rgb = colour
    style.font.bold = bold
    _font(style.element.get_or_add_rPr())
    if before is not None:
        style.paragraph_format.space_before = Pt(before)
    if after is not None:
        style.paragraph_format.space_after = Pt(after)
    if indent is not None:
        style.paragraph_format.left_indent = Cm(indent)
    return style


def _remove_borders(style: BaseStyle) -> None:
    pPr = style.element.get_or_add_pPr()
    for border in pPr.findall(qn("w:pBdr")):
        pPr.remove(border)


def _left_bar(style: BaseStyle, colour: str) -> None:
    """A vertical bar left of the paragraph (a paragraph border)."""
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "8"), ("color", colour)):
        left.set(qn(f"w:{key}"), value)
    borders.append(left)
    _set_ppr_child(style, borders)


def _shade(style: BaseStyle, fill: str) -> None:
    shading = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", fill)):
        shading.set(qn(f"w:{key}"), value)
    _set_ppr_child(style, shading)


def _set_ppr_child(style: BaseStyle, child: OxmlElement) -> None:
    """Put `child` (a w:pBdr or w:shd) into the style's paragraph properties, replacing any."""
    pPr = style.element.get_or_add_pPr()
    for existing in pPr.findall(child.tag):
        pPr.remove(existing)
    name = "w:" + child.tag.rsplit("}", 1)[1]
    _insert_before(pPr, child, _PPR_ORDER[_PPR_ORDER.index(name) + 1:])


def _settings(document: docx.document.Document) -> None:
    """Ask Word to update the fields (contents, page count) on opening; Danish proofing."""
    settings = document.settings.element
    for stale in settings.findall(qn("w:proofState")):
        settings.remove(stale)  # "already checked" would stop Word spell-checking the Danish
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    _insert_before(settings, update, _AFTER_UPDATE_FIELDS)
    theme_language = settings.find(qn("w:themeFontLang"))
    if theme_language is None:
        theme_language = OxmlElement("w:themeFontLang")
        _insert_before(settings, theme_language, _AFTER_THEME_FONT_LANG)
    theme_language.set(qn("w:val"), LANGUAGE)
    for name, value in (("w:decimalSymbol", ","), ("w:listSeparator", ";")):
        element = settings.find(qn(name))
        if element is not None:
            element.set(qn("w:val"), value)
