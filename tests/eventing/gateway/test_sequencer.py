"""Sequencer: order restored, each seq once, gaps held then given up."""

from __future__ import annotations

from eventing.events import Progress
from eventing.gateway.frame import Frame, of
from eventing.gateway.sequencer import Sequencer


def ev(seq: int) -> Frame:
    return of(Progress(job_id="j", seq=seq, stage="vision", status="started", progress=10))


def test_out_of_order_events_come_out_in_order_once() -> None:
    sequencer = Sequencer(after=0)
    for seq in (3, 1, 1, 2, 3):
        sequencer.add(ev(seq))
    assert [e.seq for e in sequencer.ready()] == [1, 2, 3]
    assert sequencer.ready() == [] and not sequencer.waiting


def test_resume_point_drops_what_the_client_has() -> None:
    sequencer = Sequencer(after=5)
    for seq in (4, 5, 6):
        sequencer.add(ev(seq))
    assert [e.seq for e in sequencer.ready()] == [6]


def test_gap_holds_until_filled_or_skipped() -> None:
    sequencer = Sequencer()
    sequencer.add(ev(1))
    sequencer.add(ev(4))
    assert [e.seq for e in sequencer.ready()] == [1]
    assert sequencer.waiting and not sequencer.ready_now
    assert sequencer.skip_gap() == 2
    assert [e.seq for e in sequencer.ready()] == [4]
    assert sequencer.last_sent == 4


def test_an_event_past_a_lost_log_moves_to_its_epoch_and_waits_for_its_first() -> None:
    epoch = 1_000_000
    sequencer = Sequencer(after=6)  # the client saw 1..6 before Redis lost the log
    sequencer.add(ev(epoch + 2))
    assert sequencer.enter_epoch(epoch)
    assert sequencer.ready() == []  # the epoch's first may still come (another router)
    sequencer.add(ev(epoch + 1))
    assert [e.seq for e in sequencer.ready()] == [epoch + 1, epoch + 2]
    assert not sequencer.enter_epoch(epoch)  # once in the epoch, gaps are ordinary again


def test_without_an_event_past_the_epoch_a_gap_is_ordinary() -> None:
    sequencer = Sequencer(after=6)
    sequencer.add(ev(9))
    assert not sequencer.enter_epoch(1_000_000)
    assert sequencer.ready() == [] and sequencer.waiting
