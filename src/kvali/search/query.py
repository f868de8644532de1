"""Parse what an analyst types into a query tree.

The language: words, "phrases", `prefix*`, AND / OR / NOT (or Danish OG / ELLER / IKKE; operators
only in capitals, so a lower-case "og" is the word), `a NEAR b` or `a NEAR/5 b`, parentheses, and
implicit AND between neighbours. Precedence, tightest first: NEAR, NOT, AND, OR. Characters that
are neither letters nor digits are separators, exactly as in the index, so FTS5 syntax typed by
the user is never passed through. Malformed queries raise `QueryError` with a one-line message
that says what is wrong and where (1-based character position), naming an operator as it was
typed (IKKE, not NOT).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kvali.errors import QueryError

NEAR_DEFAULT = 10
NEAR_MAX = 100
MAX_TERMS = 100
MAX_NESTING = 10
_TOKEN = re.compile(r"[^\W_]+")
_OPERATORS = {"AND": "AND", "OG": "AND", "OR": "OR", "ELLER": "OR", "NOT": "NOT", "IKKE": "NOT"}
_NEAR = re.compile(r"NEAR(?:/(\S*))?")


def index_tokens(text: str) -> list[str]:
    """Split text into index tokens the way the FTS5 tokenizer does (letters and digits, folded)."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Word:
    """A bare word: matched as written, by lemma, inside compounds and (with --fuzzy) fuzzily.

    `typed` keeps the analyst's capitals ("Randers") when there are any, so names can be told
    from common words.
    """

    token: str
    typed: str = ""

    @property
    def as_typed(self) -> str:
        """The word with the capitals it was typed with."""
        return self.typed or self.token


@dataclass(frozen=True)
class Prefix:
    """`token*`: every index term that starts with the token."""

    token: str


@dataclass(frozen=True)
class Phrase:
    """Tokens in this order, as written or all as lemmas."""

    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Near:
    """Operands within `distance` tokens of each other."""

    operands: tuple[Word | Prefix | Phrase, ...]
    distance: int


@dataclass(frozen=True)
class BinaryOp:
    """AND, OR or NOT (NOT meaning "left but not right")."""

    op: str
    left: Node
    right: Node


Node = Word | Prefix | Phrase | Near | BinaryOp


@dataclass(frozen=True)
class _Lexeme:
    kind: str  # term | phrase | op | near | open | close
    value: str
    position: int  # 1-based
    typed: str = ""  # an operator as typed (OG, ELLER, IKKE), for error messages
    prefix: bool = False
    distance: int = NEAR_DEFAULT


def _lex(query: str) -> list[_Lexeme]:
    """Cut the query into lexemes; quotes must balance."""
    lexemes: list[_Lexeme] = []
    i = 0
    while i < len(query):
        char = query[i]
        if char.isspace():
            i += 1
        elif char == '"':
            close = query.find('"', i + 1)
            if close < 0:
                raise QueryError(f'unbalanced quote: the " at position {i + 1} is never closed')
            if query[close + 1:close + 2] == "*":
                raise QueryError(f"* at position {close + 2}: a prefix star goes at the end of a "
                                 "word, not after a phrase")
            lexemes.append(_Lexeme("phrase", query[i + 1:close], i + 1))
            i = close + 1
        elif char in "()":
            lexemes.append(_Lexeme("open" if char == "(" else "close", char, i + 1))
            i += 1
        else:
            end = i
            while end < len(query) and not query[end].isspace() and query[end] not in '"()':
                end += 1
            lexemes.extend(_word_lexeme(query[i:end], i + 1))
            i = end
    return lexemes


def _word_lexeme(raw: str, position: int) -> list[_Lexeme]:
    """An operator, a NEAR, or a term (empty when the chunk has no letters or digits)."""
    if raw in _OPERATORS:
        return [_Lexeme("op", _OPERATORS[raw], position, typed=raw)]
    near = _NEAR.fullmatch(raw)
    if near:
        return [_Lexeme("near", raw, position, distance=_near_distance(near.group(1), position))]
    if "*" in raw.rstrip("*"):
        raise QueryError(f"* at position {position + raw.index('*')}: a prefix star goes at the "
                         "end of a word")
    if not index_tokens(raw):
        return []
    return [_Lexeme("term", raw.rstrip("*"), position, prefix=raw.endswith("*"))]


def _near_distance(raw: str | None, position: int) -> int:
    if raw is None:
        return NEAR_DEFAULT
    if not raw.isdigit() or not 0 <= int(raw) <= NEAR_MAX:
        raise QueryError(f"NEAR/ at position {position}: the distance must be a whole number "
                         f"from 0 to {NEAR_MAX} (e.g. NEAR/5)")
    return int(raw)


class _Parser:
    """Recursive descent over the lexemes; one method per precedence level."""

    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.index = 0
        self.depth = 0

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.index] if self.index < len(self.lexemes) else None

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.index]
        self.index += 1
        return lexeme

    def parse(self) -> Node:
        node = self.or_expr()
        extra = self.peek()
        if extra is not None:  # only a stray ")" can be left over
            raise QueryError(f'unbalanced parenthesis: the ")" at position {extra.position} '
                             "has no matching (")
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self._at_op("OR"):
            operator = self.take()
            node = BinaryOp("OR", node, self._operand_after(operator, self.and_expr))
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while True:
            lexeme = self.peek()
            if lexeme is not None and lexeme.kind == "op" and lexeme.value == "AND":
                operator = self.take()
                if self._at_op("NOT"):  # "a AND NOT b" reads as "a NOT b"
                    operator = self.take()
                    node = BinaryOp("NOT", node, self._operand_after(operator, self.near_expr))
                    continue
                node = BinaryOp("AND", node, self._operand_after(operator, self.not_expr))
            elif lexeme is not None and lexeme.kind in ("term", "phrase", "open"):
                node = BinaryOp("AND", node, self.not_expr())
            else:
                return node

    def not_expr(self) -> Node:
        node = self.near_expr()
        while self._at_op("NOT"):
            operator = self.take()
            node = BinaryOp("NOT", node, self._operand_after(operator, self.near_expr))
        return node

    def near_expr(self) -> Node:
        node = self.primary()
        operands: list[Node] = [node]
        distances: list[int] = []
        while (lexeme := self.peek()) is not None and lexeme.kind == "near":
            self.take()
            distances.append(lexeme.distance)
            operands.append(self._operand_after(lexeme, self.primary))
        if len(operands) == 1:
            return node
        simple: list[Word | Prefix | Phrase] = []
        for operand in operands:
            if not isinstance(operand, Word | Prefix | Phrase):
                raise QueryError("NEAR joins words or phrases, not groups or operators "
                                 "(write e.g. netværk NEAR/5 borger)")
            simple.append(operand)
        return Near(tuple(simple), min(distances))

    def primary(self) -> Node:
        lexeme = self.peek()
        if lexeme is None:
            raise QueryError("the query ends where a word was expected")
        if lexeme.kind == "op" or lexeme.kind == "near":
            name = _name(lexeme)
            raise QueryError(f"{name} at position {lexeme.position} needs a word or phrase "
                             "before it")
        if lexeme.kind == "close":
            raise QueryError(f'unbalanced parenthesis: the ")" at position {lexeme.position} '
                             "has no matching ( or closes an empty group")
        self.take()
        if lexeme.kind == "open":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise QueryError(f"parentheses nested more than {MAX_NESTING} deep at position "
                                 f"{lexeme.position}")
            if (following := self.peek()) is not None and following.kind == "close":
                raise QueryError(f"empty parentheses at position {lexeme.position}")
            if following is None:
                raise QueryError(f'unbalanced parenthesis: the "(" at position '
                                 f"{lexeme.position} is never closed")
            node = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QueryError(f'unbalanced parenthesis: the "(" at position '
                                 f"{lexeme.position} is never closed")
            self.take()
            self.depth -= 1
            return node
        tokens = tuple(index_tokens(lexeme.value))
        if lexeme.kind == "phrase":
            if not tokens:
                raise QueryError(f"the phrase at position {lexeme.position} has no words")
            return Phrase(tokens)
        if lexeme.prefix:
            if len(tokens) > 1:
                raise QueryError(f"the prefix* at position {lexeme.position} must be a single "
                                 "word")  # not the words: a query may hold personal data
            return Prefix(tokens[0])
        if len(tokens) > 1:
            return Phrase(tokens)
        typed = _TOKEN.findall(lexeme.value)[0]
        return Word(tokens[0], "" if typed == tokens[0] else typed)

    def _at_op(self, op: str) -> bool:
        lexeme = self.peek()
        return lexeme is not None and lexeme.kind == "op" and lexeme.value == op

    def _operand_after(self, operator: _Lexeme, parse: Callable[[], Node]) -> Node:
        """Parse the right operand, saying which operator lacks one when there is none."""
        following = self.peek()
        if following is None or following.kind in ("op", "near", "close"):
            raise QueryError(f"{_name(operator)} at position {operator.position} needs a word "
                             "or phrase after it")
        return parse()


def _name(lexeme: _Lexeme) -> str:
    """An operator or NEAR as the analyst typed it, for error messages."""
    return lexeme.typed or lexeme.value.split("/")[0]


def parse_query(query: str) -> Node:
    """Parse a query string into a tree; raise QueryError when it is malformed or empty."""
    if len(query) > 2000:
        raise QueryError("the query is longer than 2,000 characters")
    lexemes = _lex(query)
    terms = sum(lexeme.kind in ("term", "phrase") for lexeme in lexemes)
    if terms > MAX_TERMS:
        raise QueryError(f"the query has {terms} words and phrases; at most {MAX_TERMS} are "
                         "allowed")
    if not any(lexeme.kind in ("term", "phrase") for lexeme in lexemes):
        operator = next((x for x in lexemes if x.kind in ("op", "near")), None)
        if operator is not None:
            raise QueryError(f"{_name(operator)} at position {operator.position} has no words "
                             "to work on")
        raise QueryError("the query has no words to search for")
    return _Parser(lexemes).parse()

