"""What a rule match is: hits (rule, span, score) per code, merged into one match per code and
explained the way a suggested coding stores it."""

from __future__ import annotations

from dataclasses import dataclass, field

SCORES = {"keyword": 1.0, "phrase": 1.0, "pattern": 1.0, "compound": 0.9}

Hit = tuple[str, int, int, float]  # rule, start, end, score


@dataclass(slots=True)
class CodeMatch:
    """Why a code was suggested for a segment: rules, matched spans (segment offsets), score."""

    code_key: str
    rules: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    score: float = 0.0

    @classmethod
    def of(cls, code_key: str, hits: list[Hit]) -> CodeMatch:
        """One code's match from its hits: rules and spans once each, the best score."""
        if len(hits) == 1:
            rule, start, end, score = hits[0]
            return cls(code_key, [rule], [(start, end)], score)
        return cls(code_key, *merged(hits))


def merged(hits: list[Hit]) -> tuple[list[str], list[tuple[int, int]], float]:
    """(each rule once, each span once, in the order found; the best score) of several hits."""
    return (list(dict.fromkeys(hit[0] for hit in hits)),
            list(dict.fromkeys((hit[1], hit[2]) for hit in hits)), max(hit[3] for hit in hits))


def explanation(hits: list[Hit], offset: int) -> tuple[str, float, str]:
    """(rules, score, matched spans as JSON in document offsets, in text order) of one code's
    hits in a segment starting at `offset`, as `CodeMatch.of` merges them."""
    if len(hits) == 1:
        rule, start, end, score = hits[0]
        return rule, score, f"[[{offset + start}, {offset + end}]]"
    rules, spans, score = merged(hits)
    matched = ", ".join(f"[{offset + start}, {offset + end}]" for start, end in sorted(spans))
    return "; ".join(rules), score, f"[{matched}]"


def collect(found: dict[str, list[Hit]], code_key: str, hit: Hit) -> None:
    """Add a hit to its code's list."""
    hits = found.get(code_key)
    if hits is None:
        found[code_key] = [hit]
    else:
        hits.append(hit)
