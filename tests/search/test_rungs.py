import pytest

from nas.errors import NasError
from nas.search.rungs import Entry, front_levels, mo_order, promoted, rung_epochs


def test_rungs_divide_the_top_schedule_by_eta():
    assert rung_epochs(1, 40, 3) == (1, 4, 13, 40)
    assert rung_epochs(1, 27, 3) == (1, 3, 9, 27)
    assert rung_epochs(2, 20, 2) == (2, 5, 10, 20)
    assert rung_epochs(5, 5, 3) == (5,)
    assert rung_epochs(3, 10, 3) == (3, 10)


@pytest.mark.parametrize("args", [(0, 10, 3), (5, 4, 3), (1, 10, 1)])
def test_bad_rung_settings_are_refused(args):
    with pytest.raises(NasError):
        rung_epochs(*args)


def test_front_levels_peel_the_pareto_fronts():
    e = [Entry(0, 0.8, 100), Entry(1, 0.7, 50), Entry(2, 0.6, 100), Entry(3, 0.5, 60)]
    # 0 and 1 are non-dominated; 2 is dominated by 0; 3 by 1 (0.7 > 0.5, 50 < 60)
    assert front_levels(e) == {0: 0, 1: 0, 2: 1, 3: 1}
    assert [x.key for x in mo_order(e)] == [0, 1, 2, 3]


def test_first_arrival_is_promoted_then_only_the_top_third():
    a = Entry(0, 0.50, 100)
    assert promoted(a, [a], eta=3)  # alone: top max(1, 1 // 3) = 1
    rung = [a, Entry(1, 0.60, 100), Entry(2, 0.55, 100)]
    assert promoted(rung[1], rung, 3) and not promoted(rung[2], rung, 3)
    six = [*rung, Entry(3, 0.58, 100), Entry(4, 0.4, 100), Entry(5, 0.45, 100)]
    assert promoted(six[3], six, 3)  # second best of six: keep 2
    assert not promoted(six[2], six, 3)


def test_a_smaller_net_on_the_front_can_be_promoted_over_a_dominated_one():
    big_good = Entry(0, 0.70, 190_000)
    big_worse = Entry(1, 0.65, 195_000)  # dominated by 0
    small = Entry(2, 0.60, 40_000)  # on the front: nothing smaller is better
    rung = [big_good, big_worse, small, Entry(3, 0.3, 199_000), Entry(4, 0.2, 198_000),
            Entry(5, 0.1, 197_000)]
    assert promoted(small, rung, 3) and not promoted(big_worse, rung, 3)
