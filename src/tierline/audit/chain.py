"""Hashing and checking the audit chain.

An entry's hash covers every stored field and the previous entry's hash, so changing,
removing or reordering any entry (in the database, behind the application's back) breaks
the chain from that entry on.
"""

import hashlib
import json
from dataclasses import dataclass, field

GENESIS = "0" * 64


def entry_digest(entry) -> str:
    body = {
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id, "actor_email": entry.actor_email, "action": entry.action,
        "organization_id": entry.organization_id, "target_type": entry.target_type,
        "target_id": entry.target_id, "reason": entry.reason, "ip_address": entry.ip_address,
        "user_agent": entry.user_agent, "data": entry.data, "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        return not self.problems


def verify_chain() -> ChainReport:
    """Walk the whole trail in order; every broken link is reported with its entry id."""
    from .models import AuditChainHead, AuditEntry

    report = ChainReport()
    previous = GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        report.checked += 1
        if entry.prev_hash != previous:
            report.problems.append(f"entry {entry.pk}: does not follow the entry before it (removed or reordered)")
        if entry_digest(entry) != entry.entry_hash:
            report.problems.append(f"entry {entry.pk}: contents changed after it was written")
        previous = entry.entry_hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash or GENESIS) != previous:
        report.problems.append("the last entries of the trail are missing")
    if head is not None and head.length != report.checked:
        report.problems.append(f"the trail holds {report.checked} entries, {head.length} were written")
    return report
