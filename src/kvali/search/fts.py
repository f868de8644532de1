"""Turn a parsed, expanded query into one FTS5 MATCH expression over segments_fts(text, lemmas),
and run queries with it.

Every token is double-quoted, so nothing the analyst typed is read as FTS5 syntax. A bare word
becomes an OR of its alternatives; a phrase or NEAR matches as written or with every word as its
lemma; AND / OR / NOT are fully parenthesised, so precedence never depends on FTS5's own rules.

The expression that finds and ranks the hits may leave out a word's alternatives that no segment
holds (a misspelt word as typed, a guessed lemma): they match nothing and add exactly 0.0 to
every bm25 score (a phrase's term is idf * 0 / (0 + k) for a row without it, and the sum keeps
the other phrases' order), so the hits and their scores stay the same, while bm25 pays for every
phrase on every hit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Container
from typing import TYPE_CHECKING

from kvali.errors import QueryError
from kvali.search.expand import Expansions
from kvali.search.query import BinaryOp, Near, Node, Phrase, Prefix, Word

if TYPE_CHECKING:
    from sqlite_utils import Database


def _quote(tokens: tuple[str, ...]) -> str:
    return '"' + " ".join(tokens) + '"'


def _any_of(alternatives: list[str]) -> str:
    unique = list(dict.fromkeys(alternatives))
    return unique[0] if len(unique) == 1 else "(" + " OR ".join(unique) + ")"


def _lemma_tokens(node: Word | Prefix | Phrase, expansions: Expansions) -> str:
    """An operand with every word replaced by its lemma (a prefix stays as typed)."""
    if isinstance(node, Prefix):
        return _quote((node.token,)) + "*"
    tokens = (node.token,) if isinstance(node, Word) else node.tokens
    return _quote(tuple(t for token in tokens for t in expansions.lemma_of(token)))


def _surface_tokens(node: Word | Prefix | Phrase) -> str:
    if isinstance(node, Prefix):
        return _quote((node.token,)) + "*"
    return _quote((node.token,) if isinstance(node, Word) else node.tokens)


def to_fts(node: Node, expansions: Expansions, held: Container[str] | None = None) -> str:
    """The FTS5 MATCH expression for a query tree; with `held` (the index's terms), a word's
    alternatives with a token outside it are left out (all but the first, if none is held)."""
    if isinstance(node, Word):
        word = expansions.words.get(node.token)
        if word is None:
            return _quote((node.token,))
        alternatives = word.alternatives()
        if held is not None:
            alternatives = [alternative for alternative in alternatives
                            if all(token in held for token in alternative)] or alternatives[:1]
        return _any_of([_quote(alternative) for alternative in alternatives])
    if isinstance(node, Prefix):
        return _surface_tokens(node)
    if isinstance(node, Phrase):
        return _any_of([_surface_tokens(node), _lemma_tokens(node, expansions)])
    if isinstance(node, Near):
        surface = " ".join(_surface_tokens(operand) for operand in node.operands)
        lemma = " ".join(_lemma_tokens(operand, expansions) for operand in node.operands)
        return _any_of([f"NEAR({surface}, {node.distance})",
                        f"NEAR({lemma}, {node.distance})"])
    if node.op == "NOT":
        return (f"({to_fts(node.left, expansions, held)} NOT "
                f"{to_fts(node.right, expansions, held)})")
    return "(" + f" {node.op} ".join(to_fts(part, expansions, held)
                                     for part in _chain(node)) + ")"


def _chain(node: BinaryOp) -> list[Node]:
    """The operands of a run of the same operator, ((a AND b) AND c) → [a, b, c], so the FTS5
    expression stays shallow however many words the analyst types."""
    parts: list[Node] = []
    for side in (node.left, node.right):
        if isinstance(side, BinaryOp) and side.op == node.op:
            parts.extend(_chain(side))
        else:
            parts.append(side)
    return parts


def run_match(db: Database | sqlite3.Connection, sql: str, params: list[object]) -> list[tuple]:
    """Run a query with MATCH; FTS5's own limits (expression depth) become a QueryError."""
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if str(exc).startswith("fts5:"):
            detail = str(exc).split(" near ")[0]  # never the query's words (personal data?)
            raise QueryError(f"the query is too complex for the index ({detail}); "
                             "use fewer words or parentheses") from None
        raise
