from nas.analysis.static import params_of
from nas.genome import Genome
from nas.search.fill import fill, scale_widths

G = Genome.from_string("cv_c16,ds_c32_s2_se0.25/ir_c48_s2_e4_r1,mp,ds_c64_d2/head_h64")

params = params_of


def test_scaling_keeps_the_topology_and_multiples_of_eight():
    g = scale_widths(G, 1.7)
    assert [b.op for b in g.blocks] == [b.op for b in G.blocks]
    assert all(b["c"] % 8 == 0 for b in g.blocks if b.op != "mp")
    assert g.head["h"] % 8 == 0 and params(g) > params(G)


def test_fill_lands_in_the_band_or_says_it_cannot():
    for budget in (50_000, 200_000, 400_000):
        g = fill(G, budget, 0.85, params)
        assert g is not None and 0.85 * budget <= params(g) <= budget
    smallest = params(scale_widths(G, 0))  # every width at its 8-channel floor
    assert fill(G, smallest - 1, 0.85, params) is None
