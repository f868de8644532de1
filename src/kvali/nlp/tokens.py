"""Per-token values of a spaCy Doc without a Python object per token.

The pipeline components and the segmenter read a Doc's columns as lists of string hashes; what
they derive from a token's text (its class, its lemma, its lower-cased lemma) is the same for
every token of that spelling, so it is computed once per hash and looked up with one
`dict.get` per token. Texts are fetched from the string store only where a rule asks for one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar, overload

from spacy.strings import StringStore

V = TypeVar("V")


def cached_values(cache: dict[int, V], keys: list[int], compute: Callable[[int], V]) -> list[V]:
    """`cache[key]` for every key, computing and caching the values not there yet."""
    values = list(map(cache.get, keys))
    if None in values:
        for i, value in enumerate(values):
            if value is None:
                key = keys[i]
                value = cache.get(key)
                if value is None:
                    value = cache[key] = compute(key)
                values[i] = value
    return values


class TokenTexts(Sequence[str]):
    """The texts of a Doc's tokens, each looked up in the string store when it is asked for."""

    __slots__ = ("_keys", "_strings")

    def __init__(self, strings: StringStore, keys: list[int]) -> None:
        self._strings = strings
        self._keys = keys

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._strings[key] for key in self._keys[index]]
        return self._strings[self._keys[index]]

    def __len__(self) -> int:
        return len(self._keys)
