"""REFI-QDA codebook exchange: write and read `.qdc` files (QDA-XML 1.0 Codebook).

A `.qdc` file is `<CodeBook origin="kvali 0.1.0" xmlns="urn:QDA-XML:codebook:1.0">` holding
`<Codes>` with nested `<Code guid name isCodable color>` elements, each with an optional
`<Description>`. The same elements sit inside `<Project>` in a `.qdpx` project (namespace
`urn:QDA-XML:project:1.0`), so `codebook_element` and `codes_from_element` serve both.

How kvali's fields travel (other tools only know name, colour, description and hierarchy):

- `guid` is `uuid5(KVALI_NAMESPACE, key)`: the same key always gets the same GUID.
- The `Description` is the code's description followed by labelled lines, one per field that
  has a value: `Inklusion: …`, `Eksklusion: …`, `Eksempel: …` and, always last,
  `kvali-key: KEY`. The key line survives a trip through another tool because it is ordinary
  description text; on import the labelled lines are taken off again. Line breaks inside the
  inclusion, exclusion and example notes become spaces.
- Auto-coding rules have no place in the format and are not exported; an imported codebook has
  no rules. Every code is exported as codable.

On import a code without a valid, unused `kvali-key` line gets a key derived once from its name:
a lower-case ASCII slug (æ → ae, ø → oe, å → aa) prefixed with the parent's key and a dot,
made unique with a numeric suffix. `codebook_to_yaml` then writes that key into codebook.yaml,
where it stays the code's identity.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from io import StringIO
from pathlib import Path
from xml.etree.ElementTree import Element

from lxml import etree
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from kvali import __version__
from kvali.codebook.load import KEY
from kvali.codebook.model import Code, Codebook, Rules, children_of
from kvali.errors import InputError
from kvali.export.output import Project, check_target, output_file
from kvali.ingest.safety import MB, check_file_size, parse_xml_safely
from kvali.tabular import xml_safe

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
NAMESPACE_PREFIX = "urn:QDA-XML:"  # codebook:1.0, project:1.0 and what other tools write
KVALI_NAMESPACE = uuid.UUID("4f0c2a86-7d3e-5b1a-9c52-6b7a0e1d2f39")
_NAMESPACE_BYTES = KVALI_NAMESPACE.bytes
KEY_LABEL = "kvali-key"
NOTE_LABELS = {"inclusion": "Inklusion", "exclusion": "Eksklusion", "example": "Eksempel"}
DEFAULT_COLOR = "#888888"
MAX_QDC_BYTES = 50 * MB
_LABELLED_LINE = re.compile(
    rf"^({KEY_LABEL}|{'|'.join(NOTE_LABELS.values())}):[ \t]*(.*)$")
_SHORT_COLOR = re.compile(r"^#([0-9A-Fa-f]{3})$")
_LONG_COLOR = re.compile(r"^#([0-9A-Fa-f]{6})$")
_TRANSLITERATION = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})


def stable_guid(name: str) -> str:
    """`str(uuid.uuid5(KVALI_NAMESPACE, name))`, computed without building a UUID object (an
    export of a national project names ~800,000 GUIDs)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    hexed = digest.hex()
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


def code_guid(key: str) -> str:
    """The stable REFI-QDA GUID of a code key."""
    return stable_guid(key)


def export_qdc(codebook: Codebook, path: Path, *, project: Project = None) -> None:
    """Write the codebook as a UTF-8 `.qdc` file (REFI-QDA CodeBook), never over `project`."""
    check_target(path, project)
    root = codebook_element(codebook, namespace=CODEBOOK_NS, origin=f"kvali {__version__}")
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    with output_file(path, project) as target:
        target.write_bytes(xml)


def codebook_element(codebook: Codebook, *, namespace: str = CODEBOOK_NS,
                     origin: str | None = None) -> etree._Element:
    """The `<CodeBook>` element of a codebook in `namespace` (codebook or project schema).

    `origin` is only set when given: the Codebook schema has the attribute, the Project
    schema's CodeBook type does not.
    """
    root = etree.Element(f"{{{namespace}}}CodeBook", nsmap={None: namespace})
    if origin:
        root.set("origin", origin)
    codes = etree.SubElement(root, f"{{{namespace}}}Codes")
    children = children_of(codebook.codes)

    def add(parent_element: etree._Element, parent_key: str | None) -> None:
        for code in children.get(parent_key, []):
            element = etree.SubElement(parent_element, f"{{{namespace}}}Code",
                                       guid=code_guid(code.key), name=xml_safe(code.name),
                                       isCodable="true", color=normalize_color(code.color))
            description = xml_safe(describe(code))
            etree.SubElement(element, f"{{{namespace}}}Description").text = description
            add(element, code.key)

    add(codes, None)
    return root


def import_qdc(path: Path) -> Codebook:
    """Read a `.qdc` file (or a project XML with a CodeBook) written by kvali or another tool.

    DTDs, entities and external references are refused. Names, descriptions, colours and the
    hierarchy are kept; keys come from the `kvali-key` line or are derived from the names.
    """
    source = str(path)
    try:
        check_file_size(path, MAX_QDC_BYTES)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the codebook ({exc.strerror or exc})",
                         source=source) from None
    root = parse_xml_safely(data, source)
    namespace, tag = _split(root.tag)
    if namespace and not namespace.startswith(NAMESPACE_PREFIX):
        raise InputError(f"is not a REFI-QDA codebook (root namespace {namespace!r})",
                         source=source)
    name = path.stem
    if tag == "Project":
        name = root.get("name") or name
        root = _child(root, "CodeBook")
        if root is None:
            raise InputError("the project has no <CodeBook>", source=source)
    elif tag != "CodeBook":
        raise InputError(f"is not a REFI-QDA codebook (root element <{tag}>)", source=source)
    codes = codes_from_element(root, source)
    version = hashlib.sha256(data).hexdigest()[:12]
    return Codebook(name=name, version=version, codes=codes, path=source)


def codes_from_element(codebook: Element, source: str) -> list[Code]:
    """The codes of a parsed `<CodeBook>` element, parents before children, with unique keys."""
    codes_element = _child(codebook, "Codes")
    if codes_element is None or _child(codes_element, "Code") is None:
        raise InputError("the codebook has no <Codes> with at least one <Code>", source=source)
    codes: list[Code] = []
    used: set[str] = set()

    def visit(element: Element, parent_key: str | None) -> None:
        position = 0
        for node in element:
            if _split(node.tag)[1] != "Code":
                continue
            code = _code(node, parent_key, position, used, source)
            codes.append(code)
            position += 1
            visit(node, code.key)

    visit(codes_element, None)
    return codes


def codebook_to_yaml(codebook: Codebook) -> str:
    """codebook.yaml text for a codebook (nested `children`, rules written when present)."""
    children = children_of(codebook.codes)

    def nodes(parent_key: str | None) -> CommentedSeq:
        return CommentedSeq(_code_node(code, nodes(code.key) if code.key in children else None)
                            for code in children.get(parent_key, []))

    document = CommentedMap(name=codebook.name, version=str(codebook.version),
                            codes=nodes(None))
    document.yaml_set_start_comment(
        "Skrevet af kvali. Nøglerne (`key`) er kodernes identitet og må ikke ændres;\n"
        "se standardkodebogen codebook.yaml for, hvordan regler (`rules`) skrives.")
    yaml = YAML(typ="rt")
    yaml.width = 4096  # no folding: folded lines would end in a space
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def slugify(name: str) -> str:
    """A key-friendly form of a name: lower-case ASCII, æ → ae, ø → oe, å → aa, `_` between."""
    text = name.lower().translate(_TRANSLITERATION)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "kode"


def normalize_color(value: str | None) -> str:
    """`#RRGGBB` in upper case from `#rrggbb` or `#rgb`; the default grey when unusable."""
    return parse_color(value) or DEFAULT_COLOR


def parse_color(value: str | None) -> str | None:
    """`#RRGGBB` in upper case from `#rrggbb` or `#rgb`; None when it is neither."""
    text = (value or "").strip()
    short = _SHORT_COLOR.match(text)
    if short:
        return "#" + "".join(ch * 2 for ch in short.group(1)).upper()
    return text.upper() if _LONG_COLOR.match(text) else None


def describe(code: Code, *, with_key: bool = True) -> str:
    """The exported description: free text, then one labelled line per note, then (unless
    `with_key` is false) the `kvali-key` line."""
    lines = [code.description.strip()] if code.description.strip() else []
    notes = [f"{label}: {' '.join(value.split())}" for field, label in NOTE_LABELS.items()
             if (value := getattr(code, field))]
    if lines and notes:
        lines.append("")
    lines += [*notes, *([f"{KEY_LABEL}: {code.key}"] if with_key else [])]
    return "\n".join(lines)


def note_fields(fields: dict[str, str]) -> dict[str, str | None]:
    """Code fields (inclusion, exclusion, example) from the labelled lines of a description."""
    return {field: fields.get(label) for field, label in NOTE_LABELS.items()}


def _code(node: Element, parent_key: str | None, position: int, used: set[str],
          source: str) -> Code:
    name = (node.get("name") or "").strip()
    if not name:
        raise InputError(f"a <Code> has no name (guid {node.get('guid') or '?'})", source=source)
    description_node = _child(node, "Description")
    text = (description_node.text or "") if description_node is not None else ""
    description, fields = split_description(text)
    key = fields.pop(KEY_LABEL, None)
    if key is None or not KEY.match(key) or key in used:
        key = derive_key(name, parent_key, used)
    used.add(key)
    return Code(key=key, name=name, description=description,
                color=normalize_color(node.get("color")), parent_key=parent_key,
                position=position, rules=Rules(),
                **note_fields(fields))


def split_description(text: str) -> tuple[str, dict[str, str]]:
    """Free text and the trailing labelled lines (`Inklusion: …`, `kvali-key: …`) of a text."""
    lines = text.strip().splitlines()
    fields: dict[str, str] = {}
    while lines:
        match = _LABELLED_LINE.match(lines[-1].strip())
        if not match or match.group(1) in fields:
            break
        fields[match.group(1)] = match.group(2).strip()
        lines.pop()
    return "\n".join(lines).strip(), {k: v for k, v in fields.items() if v}


def derive_key(name: str, parent_key: str | None, used: set[str]) -> str:
    """A key made from a name (prefixed with the parent's key and a dot), not in `used`."""
    key = f"{parent_key}.{slugify(name)}" if parent_key else slugify(name)
    candidate, number = key, 2
    while candidate in used:
        candidate, number = f"{key}_{number}", number + 1
    return candidate


def _code_node(code: Code, children: CommentedSeq | None) -> CommentedMap:
    node = CommentedMap(key=code.key, name=code.name)
    for field in ("description", "inclusion", "exclusion", "example"):
        value = getattr(code, field)
        if value:
            node[field] = LiteralScalarString(value) if "\n" in value else value
    node["color"] = code.color
    if code.rules != Rules():
        node["rules"] = _rules_node(code.rules)
    if children:
        node["children"] = children
    return node


def _rules_node(rules: Rules) -> CommentedMap:
    node = CommentedMap()
    if rules.keywords:
        node["keywords"] = _flow([k.word if k.compound else _flow_map(word=k.word, compound=False)
                                  for k in rules.keywords])
    for field in ("phrases", "patterns", "exclude"):
        if getattr(rules, field):
            node[field] = _flow(list(getattr(rules, field)))
    if rules.fuzzy is not None:
        node["fuzzy"] = rules.fuzzy
    scope = {f: _flow(list(v)) for f in ("kinds", "questions", "roles")
             if (v := getattr(rules.scope, f))}
    if scope:
        node["scope"] = CommentedMap(scope)
    return node


def _flow(items: list[object]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _flow_map(**items: object) -> CommentedMap:
    node = CommentedMap(items)
    node.fa.set_flow_style()
    return node


def _split(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _child(element: Element, local: str) -> Element | None:
    """The first child with this local name, whatever its namespace."""
    return next((child for child in element if _split(child.tag)[1] == local), None)
