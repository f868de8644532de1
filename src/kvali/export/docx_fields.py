"""Word fields in the DOCX report: the table of contents and the page numbers.

A field is written as Word writes it (`w:fldChar` begin, `w:instrText`, separate, the shown
result, end). The result is a placeholder until Word updates the fields, which the document
asks for on opening (`w:updateFields` in settings, see `kvali.export.docx_style`).
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

CONTENTS_FIELD = 'TOC \\o "1-3" \\h \\z \\u'


def add_field(paragraph: Paragraph, instruction: str, placeholder: str, *,
              dirty: bool = False) -> None:
    """Append the field `instruction` to the paragraph, showing `placeholder` until updated;
    `dirty` marks it for updating when the document opens."""
    begin = _field_char("begin")
    if dirty:
        begin.set(qn("w:dirty"), "true")
    paragraph.add_run()._r.append(begin)
    code = OxmlElement("w:instrText")
    code.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    paragraph.add_run()._r.append(_field_char("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(_field_char("end"))


def add_contents(paragraph: Paragraph, placeholder: str) -> None:
    """A table of contents of heading levels 1-3 with links."""
    add_field(paragraph, CONTENTS_FIELD, placeholder, dirty=True)


def add_page_numbers(paragraph: Paragraph) -> None:
    """"Side X af Y"."""
    paragraph.add_run("Side ")
    add_field(paragraph, "PAGE", "1")
    paragraph.add_run(" af ")
    add_field(paragraph, "NUMPAGES", "1")


def _field_char(kind: str) -> OxmlElement:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element
