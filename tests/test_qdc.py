"""REFI-QDA codebook (.qdc) export and import: schema validity, round trips, other tools, safety."""

from __future__ import annotations

import random
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from kvali.codebook.load import load_codebook, parse_codebook
from kvali.codebook.model import Codebook
from kvali.codebook.qdc import (
    CODEBOOK_NS,
    DEFAULT_COLOR,
    KVALI_NAMESPACE,
    PROJECT_NS,
    code_guid,
    codebook_to_yaml,
    export_qdc,
    import_qdc,
    normalize_color,
    slugify,
    stable_guid,
)
from kvali.errors import InputError, UnsafeInputError, UsageError

ROOT = Path(__file__).resolve().parents[1]
XSD = "http://www.w3.org/2001/XMLSchema"
FIELDS = ("key", "name", "description", "inclusion", "exclusion", "example", "color",
          "parent_key", "position")

SMALL = """\
name: Lille kodebog
version: "1"
codes:
  - key: tema
    name: Tema med æøå
    description: |-
      Første linje.
      Anden linje med <tegn> & "citater".
    inclusion: Tages med.
    exclusion: Tages ikke med.
    example: Et eksempel.
    color: "#2e7d32"
    rules:
      keywords: [netværk]
    children:
      - key: tema.under
        name: Underkode
        color: "#123456"
        children:
          - key: tema.under.dyb
            name: Dyb kode
            description: Tre niveauer nede.
            color: "#ABCDEF"
  - key: andet
    name: Andet tema
    color: "#000000"
"""

OTHER_TOOL = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook {xmlns} origin="Some QDA tool 4.2">
  <Codes>
    <Code guid="{{11111111-2222-3333-4444-555555555555}}" name="Økonomi &amp; ressourcer"
          isCodable="false" color="#f9a825">
      <Description>  Penge og tid.  </Description>
      <Code guid="22222222-2222-3333-4444-555555555555" name="Budget" isCodable="true"
            color="#abc">
        <NoteRef targetGUID="33333333-2222-3333-4444-555555555555"/>
      </Code>
      <Code guid="44444444-2222-3333-4444-555555555555" name="Budget" isCodable="true"/>
    </Code>
    <Code guid="55555555-2222-3333-4444-555555555555" name="Åben rådgivning" isCodable="true"
          color="not a colour"/>
  </Codes>
</CodeBook>
"""


@pytest.fixture(scope="module")
def default_codebook() -> Codebook:
    return load_codebook(ROOT / "codebook.yaml")


def small_codebook() -> Codebook:
    codebook, problems = parse_codebook(SMALL, "small.yaml")
    assert problems == [] and codebook is not None
    return codebook


def as_project(qdc: Path) -> etree._Element:
    """The exported CodeBook moved into a minimal Project in the project namespace.

    Project.xsd declares only <Project> as a global element, so a bare CodeBook cannot be
    validated against it; its CodeBookType also has no `origin` attribute (the Codebook schema
    has), so that attribute is dropped here.
    """
    codebook = etree.parse(str(qdc)).getroot()
    for element in codebook.iter():
        element.tag = element.tag.replace(f"{{{CODEBOOK_NS}}}", f"{{{PROJECT_NS}}}")
    codebook.attrib.pop("origin")
    project = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS},
                            name="kvali")
    project.append(codebook)
    etree.cleanup_namespaces(project)
    return project


def test_export_is_valid_against_the_refi_qda_schema(shared: Path, tmp_path: Path,
                                                     default_codebook: Codebook) -> None:
    xsd_path = shared / "data" / "refi-qda" / "Project.xsd"
    xsd_doc = etree.parse(str(xsd_path))
    globals_ = {e.get("name") for e in xsd_doc.getroot().findall(f"{{{XSD}}}element")}
    assert globals_ == {"Project"}  # hence the Project wrapper in as_project
    schema = etree.XMLSchema(xsd_doc)
    target = tmp_path / "kodebog.qdc"
    export_qdc(default_codebook, target)

    root = etree.parse(str(target)).getroot()
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook"
    assert root.get("origin").startswith("kvali ")
    assert target.read_bytes().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    project = as_project(target)
    assert schema.validate(project), schema.error_log
    codes = project.findall(f".//{{{PROJECT_NS}}}Code")
    assert len(codes) == len(default_codebook.codes)


def test_guids_are_stable_per_key_and_exports_repeat_exactly(tmp_path: Path,
                                                              default_codebook: Codebook) -> None:
    first, second = tmp_path / "a.qdc", tmp_path / "b.qdc"
    export_qdc(default_codebook, first)
    export_qdc(default_codebook, second)
    assert first.read_bytes() == second.read_bytes()
    guids = [e.get("guid") for e in etree.parse(str(first)).iter(f"{{{CODEBOOK_NS}}}Code")]
    assert guids == [code_guid(code.key) for code in default_codebook.codes]
    assert len(set(guids)) == len(guids)
    assert code_guid("naere_netvaerk") == code_guid("naere_netvaerk") != code_guid("sundhed")


def test_round_trip_keeps_keys_names_descriptions_colours_and_hierarchy(
        tmp_path: Path, default_codebook: Codebook) -> None:
    for codebook in (small_codebook(), default_codebook):
        target = tmp_path / "rundtur.qdc"
        export_qdc(codebook, target)
        back = import_qdc(target)
        assert [c.key for c in back.codes] == [c.key for c in codebook.codes]
        for original, imported in zip(codebook.codes, back.codes, strict=True):
            for field in FIELDS:
                assert getattr(imported, field) == getattr(original, field), (original.key, field)
            assert imported.rules.empty


def test_description_carries_notes_and_key_for_other_tools(tmp_path: Path) -> None:
    target = tmp_path / "lille.qdc"
    export_qdc(small_codebook(), target)
    description = etree.parse(str(target)).find(f".//{{{CODEBOOK_NS}}}Description").text
    assert description.splitlines() == [
        "Første linje.", 'Anden linje med <tegn> & "citater".', "",
        "Inklusion: Tages med.", "Eksklusion: Tages ikke med.", "Eksempel: Et eksempel.",
        "kvali-key: tema"]


@pytest.mark.parametrize("xmlns", [f'xmlns="{CODEBOOK_NS}"', f'xmlns="{PROJECT_NS}"', ""])
def test_import_of_another_tools_codebook(tmp_path: Path, xmlns: str) -> None:
    source = tmp_path / "fra-andet-program.qdc"
    source.write_text(OTHER_TOOL.format(xmlns=xmlns), encoding="utf-8")
    codebook = import_qdc(source)
    assert codebook.name == "fra-andet-program"
    assert [(c.key, c.name, c.parent_key, c.position) for c in codebook.codes] == [
        ("oekonomi_ressourcer", "Økonomi & ressourcer", None, 0),
        ("oekonomi_ressourcer.budget", "Budget", "oekonomi_ressourcer", 0),
        ("oekonomi_ressourcer.budget_2", "Budget", "oekonomi_ressourcer", 1),
        ("aaben_raadgivning", "Åben rådgivning", None, 1),
    ]
    assert [c.color for c in codebook.codes] == ["#F9A825", "#AABBCC", DEFAULT_COLOR,
                                                 DEFAULT_COLOR]
    assert codebook.codes[0].description == "Penge og tid."
    assert all(c.rules.empty for c in codebook.codes)


def test_imported_codebook_becomes_a_valid_codebook_yaml(tmp_path: Path) -> None:
    source = tmp_path / "andet.qdc"
    source.write_text(OTHER_TOOL.format(xmlns=f'xmlns="{CODEBOOK_NS}"'), encoding="utf-8")
    imported = import_qdc(source)
    text = codebook_to_yaml(imported)
    assert "rules:" not in text
    written, problems = parse_codebook(text, "andet.yaml")
    assert problems == [] and written is not None
    for original, again in zip(imported.codes, written.codes, strict=True):
        for field in FIELDS:
            assert getattr(again, field) == getattr(original, field), (original.key, field)
    assert written.version == imported.version


def test_codebook_to_yaml_keeps_rules_of_the_default_codebook(default_codebook: Codebook) -> None:
    written, problems = parse_codebook(codebook_to_yaml(default_codebook), "igen.yaml")
    assert problems == [] and written is not None
    assert written.name == default_codebook.name and written.version == "2026.1"
    assert [(c.key, c.parent_key, c.rules) for c in written.codes] == [
        (c.key, c.parent_key, c.rules) for c in default_codebook.codes]


def test_nvivo_project_codebook_is_imported(shared: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(shared / "data" / "refi-qda" / "nvivo12-win-sample.qdpx") as archive:
        (tmp_path / "project.qde").write_bytes(archive.read("project.qde"))
    codebook = import_qdc(tmp_path / "project.qde")
    keys = [c.key for c in codebook.codes]
    assert len(keys) == len(set(keys)) > 10
    assert keys[:3] == ["1_oltas_tipusa", "1_oltas_tipusa.covid", "1_oltas_tipusa.nem_covid"]
    assert codebook.codes[0].description == "COVID vay nem COVID"
    assert codebook.by_key()["1_oltas_tipusa.covid"].parent_key == "1_oltas_tipusa"
    assert parse_codebook(codebook_to_yaml(codebook), "nvivo.yaml")[1] == []


def test_foreign_or_invalid_kvali_keys_are_replaced(tmp_path: Path) -> None:
    source = tmp_path / "nøgler.qdc"
    source.write_text(
        f'<CodeBook xmlns="{CODEBOOK_NS}"><Codes>'
        '<Code guid="11111111-2222-3333-4444-555555555555" name="A" isCodable="true">'
        "<Description>kvali-key: Ugyldig Nøgle</Description></Code>"
        '<Code guid="21111111-2222-3333-4444-555555555555" name="B" isCodable="true">'
        "<Description>Tekst\nkvali-key: fast</Description></Code>"
        '<Code guid="31111111-2222-3333-4444-555555555555" name="C" isCodable="true">'
        "<Description>kvali-key: fast</Description></Code>"
        "</Codes></CodeBook>", encoding="utf-8")
    codes = import_qdc(source).codes
    assert [(c.key, c.description) for c in codes] == [("a", ""), ("fast", "Tekst"), ("c", "")]


@pytest.mark.parametrize("text", [
    # billion laughs
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    f'<CodeBook xmlns="{CODEBOOK_NS}"><Codes><Code guid="11111111-2222-3333-4444-555555555555" '
    'name="&lol2;" isCodable="true"/></Codes></CodeBook>',
    # external entity
    '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f'<CodeBook xmlns="{CODEBOOK_NS}"><Codes><Code guid="11111111-2222-3333-4444-555555555555" '
    'name="&xxe;" isCodable="true"/></Codes></CodeBook>',
    # a bare DOCTYPE
    f'<!DOCTYPE CodeBook><CodeBook xmlns="{CODEBOOK_NS}"><Codes/></CodeBook>',
])
def test_unsafe_xml_is_refused(tmp_path: Path, text: str) -> None:
    source = tmp_path / "farlig.qdc"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(UnsafeInputError, match="farlig.qdc"):
        import_qdc(source)


@pytest.mark.parametrize(("text", "message"), [
    ("<CodeBook><Codes>", "not well-formed"),
    ('<Codes xmlns="urn:QDA-XML:codebook:1.0"/>', "root element <Codes>"),
    ('<CodeBook xmlns="urn:example:other"><Codes/></CodeBook>', "root namespace"),
    (f'<CodeBook xmlns="{CODEBOOK_NS}"><Codes/></CodeBook>', "at least one <Code>"),
    (f'<CodeBook xmlns="{CODEBOOK_NS}"><Codes><Code guid="11111111-2222-3333-4444-555555555555"'
     ' name=" " isCodable="true"/></Codes></CodeBook>', "has no name"),
    (f'<Project xmlns="{PROJECT_NS}" name="p"/>', "no <CodeBook>"),
])
def test_broken_codebooks_name_the_file_and_the_problem(tmp_path: Path, text: str,
                                                        message: str) -> None:
    source = tmp_path / "forkert.qdc"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        import_qdc(source)
    assert caught.value.source == str(source)


def test_missing_file_and_unwritable_target(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        import_qdc(tmp_path / "findes-ikke.qdc")
    with pytest.raises(UsageError, match="does not exist"):
        export_qdc(small_codebook(), tmp_path / "mappe-findes-ikke" / "x.qdc")


def test_slugify_and_colours() -> None:
    assert slugify("Økonomi & ressourcer") == "oekonomi_ressourcer"
    assert slugify("Børn/unge: Åben rådgivning") == "boern_unge_aaben_raadgivning"
    assert slugify("Café Süd") == "cafe_sud"
    assert slugify(" – ") == "kode"
    assert normalize_color("#abc") == "#AABBCC"
    assert normalize_color(" #2e7d32 ") == "#2E7D32"
    assert normalize_color("red") == DEFAULT_COLOR
    assert normalize_color(None) == DEFAULT_COLOR


def test_stable_guid_is_uuid5_in_kvalis_namespace() -> None:
    """GUIDs stay what every earlier export wrote: uuid5 of the name (the standard library as
    the oracle), for code keys and the kinds an export names."""
    rng = random.Random(16)
    alphabet = "abcæøåÆØÅ:._- 0123456789é😀\u0301"
    names = ["", "netvaerk", "selection:12:0:45", "coding:365808", "kode.underkode",
             *("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
               for _ in range(2000))]
    for name in names:
        assert stable_guid(name) == str(uuid.uuid5(KVALI_NAMESPACE, name)), name
    assert code_guid("netvaerk") == str(uuid.uuid5(KVALI_NAMESPACE, "netvaerk"))
