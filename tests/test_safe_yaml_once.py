"""`load_yaml` checks the limits on the loader's own event stream: one parse, same refusals."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.parser import Parser

from kvali.safe_yaml import MAX_DEPTH, MAX_NODES, UnsafeYamlError, load_yaml

BOMB = "a0: &a0 [" + ", ".join(["x"] * 10) + "]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9))


def test_the_text_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    starts = []
    original = Parser.parse_stream_start
    monkeypatch.setattr(Parser, "parse_stream_start",
                        lambda self: starts.append(1) or original(self))
    assert load_yaml("a: [1, 2]\nb: {c: d}\n", "meta.yaml", 10_000) == {"a": [1, 2],
                                                                        "b": {"c": "d"}}
    assert len(starts) == 1


@pytest.mark.parametrize("typ", ["safe", "rt"])
def test_limits_refused_with_the_line_and_the_loader_still_usable(typ: str) -> None:
    yaml = YAML(typ=typ, pure=True)
    with pytest.raises(UnsafeYamlError) as bomb:
        load_yaml(BOMB, "meta.yaml", 10_000, yaml)
    assert f"more than {MAX_NODES:,} values" in str(bomb.value) and bomb.value.line == 5
    deep = "k:\n  v: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    with pytest.raises(UnsafeYamlError, match=f"more than {MAX_DEPTH} levels") as nested:
        load_yaml(deep, "meta.yaml", 10_000, yaml)
    assert nested.value.line == 2
    with pytest.raises(UnsafeYamlError, match=r"alias \*a refers to a value that contains it"):
        load_yaml("a: &a [1, *a]\n", "meta.yaml", 10_000, yaml)
    with pytest.raises(YAMLError) as broken:
        load_yaml("a: 1\nb: [2\nc: 3\n", "meta.yaml", 10_000, yaml)
    assert broken.value.problem_mark.line >= 2
    assert load_yaml("a: &x [1, 2]\nb: *x\n", "meta.yaml", 10_000, yaml) == {"a": [1, 2],
                                                                              "b": [1, 2]}
    assert yaml.load("c: 3\n") == {"c": 3}  # the caller's instance reads on its own


def test_a_loader_that_cannot_be_watched_is_checked_by_a_first_parse() -> None:
    yaml = YAML(typ="safe", pure=True)
    yaml.Parser = lambda loader: Parser(loader)  # not a Parser class: as with the C parser
    with pytest.raises(UnsafeYamlError, match="after expanding aliases"):
        load_yaml(BOMB, "meta.yaml", 10_000, yaml)
    assert load_yaml("a: 1\n", "meta.yaml", 10_000, yaml) == {"a": 1}
