"""Puts a job's events back in seq order and lets each through exactly once.

Seqs are dense (1, 2, 3, …: eventing/progress.py), so a missing number is known to be missing:
an event ahead of it is held until it arrives, whether from the replay log or live. This settles
the race between replay and live (the same event from both is let through once) and the
reordering several routers can cause.
"""

from __future__ import annotations

from eventing.gateway.frame import Frame


class Sequencer:
    """The next seq a client expects and the events held until it arrives."""

    def __init__(self, after: int = 0) -> None:
        self.next_seq = after + 1
        self._held: dict[int, Frame] = {}

    @property
    def last_sent(self) -> int:
        return self.next_seq - 1

    @property
    def waiting(self) -> bool:
        """True while an event is held behind a missing seq."""
        return bool(self._held)

    @property
    def ready_now(self) -> bool:
        """True when the next expected event is already held."""
        return self.next_seq in self._held

    def add(self, event: Frame) -> None:
        """Take an event from either source; ones already let through are dropped."""
        if event.seq >= self.next_seq:
            self._held.setdefault(event.seq, event)

    def ready(self) -> list[Frame]:
        """The events now in order, each returned once."""
        out: list[Frame] = []
        while self.next_seq in self._held:
            out.append(self._held.pop(self.next_seq))
            self.next_seq += 1
        return out

    def skip_gap(self) -> int:
        """Give up on the missing seqs before the first held one; returns how many were skipped."""
        if not self._held:
            return 0
        first = min(self._held)
        skipped = first - self.next_seq
        self.next_seq = first
        return skipped

    def enter_epoch(self, epoch: int) -> bool:
        """Past a lost log: once an event of the epoch after ``epoch`` is held, the seqs before
        it will never come (eventing.progress.LOST_EPOCH), so expect the epoch's first at once
        rather than after the gap timeout. True when it moved."""
        if self.next_seq > epoch or not self._held or max(self._held) <= epoch:
            return False
        self._held = {seq: event for seq, event in self._held.items() if seq > epoch}
        self.next_seq = epoch + 1
        return True
