"""Keep a YAML file's own layout through a round-trip edit.

ruamel.yaml keeps comments and quoting, but renders some things its own way: hand-wrapped flow
lists, plain texts continued on the next line, its own indentation. So the edited document is
rendered twice, as loaded (`base`) and as edited, and only the difference between the two is
carried into the original text: line by line, and word by word where the original's lines were
reflowed. The result must load as the edited data, else ruamel's rendering is used.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher

from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString, ScalarString

KEY_LINE = re.compile(r"^( *)(?:(- +))?[^\s#\-][^#]*:[ \t]*(?:#.*)?$")
WORD = re.compile(r"([\[\]{},]|[^\s\[\]{},]+)")


def carry_over(original: str, base: str, edited: str, data: object) -> str:
    """ORIGINAL with the changes from BASE to EDITED; EDITED when that would not load as DATA."""
    if edited == base:
        return original
    merged = "".join(_merge(_lines(original), _lines(base), _lines(edited)))
    for candidate in (_tidy(merged, original), merged):
        if _means(candidate, data):
            return candidate
    return edited


def indentation(text: str) -> tuple[int, int, int]:
    """The file's (mapping indent, sequence indent, dash offset), the most common of each."""
    mapping, sequence, offset = Counter[int](), Counter[int](), Counter[int]()
    lines = [line for line in text.splitlines() if line.strip()
             and not line.lstrip().startswith("#")]
    for line, following in zip(lines, lines[1:], strict=False):
        match = KEY_LINE.match(line)
        column = match.end(2) if match and match[2] else match.end(1) if match else -1
        indent = len(following) - len(following.lstrip(" "))
        if column < 0:
            continue
        if following[indent:].startswith("- "):
            offset[indent - column] += 1
            sequence[len(following) - len(following[indent + 1:].lstrip(" ")) - column] += 1
        elif indent > column:
            mapping[indent - column] += 1
    found = [c.most_common(1)[0][0] if c else d for c, d in ((mapping, 2), (sequence, 2),
                                                              (offset, 0))]
    return found[0], max(found[1], found[2] + 2), max(found[2], 0)


def restyled(old: object, new: str) -> str:
    """NEW in the quoting or block style of OLD; a folded text keeps its line breaks."""
    if not isinstance(old, ScalarString) or isinstance(new, ScalarString):
        return new
    if isinstance(old, (LiteralScalarString, FoldedScalarString)) and old.endswith("\n") \
            and not new.endswith("\n"):
        new += "\n"
    styled = type(old)(new)
    if isinstance(old, FoldedScalarString):
        matcher = SequenceMatcher(None, old, new, autojunk=False)
        styled.fold_pos = [b + p - a for a, b, size in matcher.get_matching_blocks()
                           for p in getattr(old, "fold_pos", []) if a <= p < a + size
                           and new[b + p - a] == " "]
    return styled


def replace_items(items: CommentedSeq, new: list) -> None:
    """Make ITEMS equal NEW with the fewest inserts and deletes (kept items keep comments)."""
    def ident(item: object) -> str:
        return json.dumps(item, ensure_ascii=False, sort_keys=True)

    matcher = SequenceMatcher(None, [ident(i) for i in items], [ident(i) for i in new],
                              autojunk=False)
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        neighbour = items[i1 - 1] if i1 else (items[i2] if i2 < len(items) else None)
        for index in reversed(range(i1, i2)):
            del items[index]
        for offset, item in enumerate(new[j1:j2]):
            if isinstance(item, dict):
                item = CommentedMap(item)
                item.fa.set_flow_style()
            elif isinstance(item, str):
                item = restyled(neighbour, item)
            items.insert(i1 + offset, item)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _merge(original: Sequence[str], base: Sequence[str], edited: Sequence[str]) -> list[str]:
    """Three-way merge: the changes from BASE to EDITED, applied to ORIGINAL.

    BASE is ruamel's rendering of ORIGINAL; a stretch that both changed is rewrapped.
    """
    theirs, ours = _matched(base, original), _matched(base, edited)
    merged: list[str] = []
    b = o = e = 0
    for i in sorted(theirs.keys() & ours.keys()):
        merged += _resolve(base[b:i], original[o:theirs[i]], edited[e:ours[i]])
        merged.append(original[theirs[i]])
        b, o, e = i + 1, theirs[i] + 1, ours[i] + 1
    return merged + _resolve(base[b:], original[o:], edited[e:])


def _matched(a: Sequence[str], b: Sequence[str]) -> dict[int, int]:
    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return {i + k: j + k for i, j, size in blocks for k in range(size)}


def _resolve(base: Sequence[str], original: Sequence[str], edited: Sequence[str],
             ) -> list[str]:
    if list(original) == list(base):
        return list(edited)
    if list(edited) == list(base):
        return list(original)
    return _rewrapped(base, original, edited)


def _rewrapped(base: Sequence[str], original: Sequence[str],
               edited: Sequence[str]) -> list[str]:
    """Lines the original wraps differently from ruamel, and the edit changed: the edited words
    in the original's spacing and line breaks (the edit as ruamel wrote it when more differs)."""
    words, gaps = _words(original)
    if words != _words(base)[0]:
        return list(edited)
    new, new_gaps = _words(edited)
    out: list[str] = []
    pending: str | None = None  # the gap before the next kept word, set by the edit before it
    opcodes = SequenceMatcher(None, words, new, autojunk=False).get_opcodes()
    for tag, (i1, i2, j1, j2) in _slid(opcodes, words, gaps):
        if tag == "equal":
            for i in range(i1, i2):
                out += [gaps[i] if pending is None else pending, words[i]]
                pending = None
        elif tag == "delete":
            pending = gaps[i2] if "\n" in gaps[i2] else gaps[i1]
        else:
            out += [gaps[i1] if tag == "replace" else new_gaps[j1], new[j1]]
            for j in range(j1 + 1, j2):
                out += [new_gaps[j], new[j]]
            pending = gaps[i2]
    return ["".join(out) + (gaps[-1] if pending is None else pending)]


def _slid(opcodes: list[tuple[str, int, int, int, int]], words: list[str],
          gaps: list[str]) -> list[tuple[str, list[int]]]:
    """The opcodes as (tag, [i1, i2, j1, j2]), each deletion shifted over repeated words until
    it meets a line break of the original: deleting `b, a,` from `a, b,⏎ a, c` keeps the break
    before the `a` that stays."""
    ops = [(tag, list(span)) for tag, *span in opcodes]
    for k in range(1, len(ops) - 1):
        (_, before), (tag, (i1, i2, j1, _)), (_, after) = ops[k - 1:k + 2]
        if tag != "delete":
            continue
        left = right = 0
        while i1 + left > before[0] and words[i1 + left - 1] == words[i2 + left - 1]:
            left -= 1
        while i2 + right < after[1] and words[i1 + right] == words[i2 + right]:
            right += 1
        shift = next((s for s in sorted(range(left, right + 1), key=abs)
                      if "\n" in gaps[i1 + s] or "\n" in gaps[i2 + s]), 0)
        before[1], before[3] = i1 + shift, j1 + shift
        ops[k] = (tag, [i1 + shift, i2 + shift, j1 + shift, j1 + shift])
        after[0], after[2] = i2 + shift, j1 + shift
    return ops


def _words(lines: Sequence[str]) -> tuple[list[str], list[str]]:
    """The words of LINES and the whitespace around them (one more gap than words)."""
    parts = WORD.split("".join(lines))
    return parts[1::2], parts[0::2]


def _means(text: str, data: object) -> bool:
    """True when TEXT loads as DATA."""
    try:
        return YAML(typ="safe").load(text) == data
    except YAMLError:
        return False


def _tidy(text: str, original: str) -> str:
    """TEXT without trailing blanks on lines that the original did not have."""
    kept = set(original.splitlines())
    return "".join(line if line.rstrip("\n") in kept else
                   line.rstrip("\n").rstrip(" \t") + ("\n" if line.endswith("\n") else "")
                   for line in _lines(text))
