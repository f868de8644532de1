"""Find personal data in a document's text: CPR numbers, phone numbers, e-mail addresses,
addresses and person names, each with the rule that found it and an entity key.

Where two findings overlap, the more specific type wins (e-mail, CPR, phone, address, name), and
of one type the longer one: "Jens Baggesens Vej 5" is an address, not the name "Jens".
"""

from __future__ import annotations

from collections.abc import Iterable

from kvali.privacy.scan.addresses import postcode_findings, street_findings
from kvali.privacy.scan.model import Finding
from kvali.privacy.scan.names import name_findings
from kvali.privacy.scan.numbers import cpr_findings, email_findings, phone_findings

PRIORITY = ("email", "cpr", "phone", "address", "name")

__all__ = ["Finding", "scan_text"]


def scan_text(text: str, speaker_names: Iterable[str] = ()) -> list[Finding]:
    """Every finding in TEXT, without overlaps, in text order."""
    candidates = [*email_findings(text), *cpr_findings(text), *phone_findings(text),
                  *street_findings(text), *postcode_findings(text),
                  *name_findings(text, speaker_names)]
    candidates.sort(key=lambda f: (PRIORITY.index(f.type), f.start - f.end, f.start))
    kept: list[Finding] = []
    for finding in candidates:
        if all(finding.end <= k.start or k.end <= finding.start for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: (f.start, f.end))
