"""The suite's own counting notices a loss, a phantom, a duplicate and a reordering."""

from tests.faults.counts import count


def test_everything_stored_in_order_counts_clean() -> None:
    c = count([10, 20, 30], [(10, (1, 1, 0)), (20, (1, 1, 1)), (30, (1, 2, 0))], set())
    assert (c.produced, c.stored, c.lost, c.phantoms, c.duplicates, c.out_of_order) == (
        3, 3, 0, 0, 0, 0,
    )  # fmt: skip


def test_a_reading_neither_stored_nor_waiting_is_lost() -> None:
    c = count([10, 20, 30], [(10, (1, 1, 0))], {30})
    assert (c.stored, c.waiting, c.lost) == (1, 1, 1)


def test_a_stored_reading_the_station_never_took_is_a_phantom() -> None:
    assert count([10], [(10, None), (99, None)], set()).phantoms == 1


def test_a_row_stored_twice_is_a_duplicate() -> None:
    assert count([10], [(10, None), (10, None)], set()).duplicates == 1


def test_a_reading_placed_after_a_newer_one_is_out_of_order() -> None:
    # Taken 10, 20, 30; the store's order says 10, 30, 20.
    stored = [(10, (1, 1, 0)), (20, (1, 3, 0)), (30, (1, 2, 0))]
    assert count([10, 20, 30], stored, set()).out_of_order == 1


def test_order_follows_the_ledger_not_the_clock() -> None:
    # The clock stepped back: 30 was taken before 5.
    stored = [(30, (1, 1, 0)), (5, (1, 2, 0))]
    assert count([30, 5], stored, set()).out_of_order == 0
