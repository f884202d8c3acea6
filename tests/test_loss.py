"""Each loss term against numbers computed by hand (explicit loops over tiny batches)."""
import math

import pytest
import torch

from training.losses import (
    LossConfig,
    contrastive_term,
    covariance_term,
    decoupled_nt_xent,
    norm_term,
    samplematch_loss,
    variance_term,
)

U = [[1.0, 0.0], [0.6, 0.8], [-1.0, 1.0]]
V = [[2.0, 0.5], [0.0, 1.0], [-0.5, -1.0]]
TAU = 0.2


def cos(a, b):
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def hand_decoupled(anchors, candidates, positive, exclude=lambda i, j: False):
    """Mean over positive (i, j) of -log(exp(s_ij/t) / sum over l neither positive nor excluded)."""
    losses = []
    for i, a in enumerate(anchors):
        denominator = sum(math.exp(cos(a, c) / TAU) for k, c in enumerate(candidates)
                          if not positive(i, k) and not exclude(i, k))
        for j, c in enumerate(candidates):
            if positive(i, j):
                losses.append(-math.log(math.exp(cos(a, c) / TAU) / denominator))
    return sum(losses) / len(losses)


def test_decoupled_nt_xent_leaves_the_positive_out_of_the_denominator():
    expected = hand_decoupled(U, V, lambda i, j: i == j)
    got = decoupled_nt_xent(torch.tensor(U), torch.tensor(V), torch.eye(3, dtype=torch.bool), TAU)
    assert got.item() == pytest.approx(expected, rel=1e-5)


def test_decoupled_nt_xent_of_perfectly_aligned_orthogonal_pairs():
    eye = torch.eye(3)
    # s_ii = 1, s_il = 0: -log(e^(1/0.2) / (e^0 + e^0)) = log 2 - 5
    got = decoupled_nt_xent(eye, eye, torch.eye(3, dtype=torch.bool), TAU)
    assert got.item() == pytest.approx(math.log(2) - 5, rel=1e-6)


def test_variance_term_is_the_hinge_on_the_regularised_std():
    z = [[0.0, 2.0], [1.0, -2.0], [0.0, 2.0], [1.0, -2.0]]
    eps = 1e-4
    expected = 0.0
    for j in range(2):
        col = [row[j] for row in z]
        mean = sum(col) / 4
        var = sum((x - mean) ** 2 for x in col) / 3          # unbiased
        expected += max(0.0, 1 - math.sqrt(var + eps))
    expected /= 2
    got = variance_term(torch.tensor(z), eps)
    assert got.item() == pytest.approx(expected, rel=1e-5)
    assert expected > 0  # column 0 has std 0.577 < 1, column 1 std 2.31 > 1


def test_covariance_term_sums_squared_off_diagonal_covariances_over_d():
    z = [[1.0, 2.0, 0.0], [2.0, 1.0, 1.0], [3.0, 5.0, 0.0], [0.0, 0.0, 3.0]]
    n, d = 4, 3
    means = [sum(row[j] for row in z) / n for j in range(d)]
    expected = 0.0
    for a in range(d):
        for b in range(d):
            if a != b:
                c = sum((row[a] - means[a]) * (row[b] - means[b]) for row in z) / (n - 1)
                expected += c * c
    expected /= d
    assert covariance_term(torch.tensor(z)).item() == pytest.approx(expected, rel=1e-5)


def test_norm_term_penalises_only_norms_above_c():
    z = torch.tensor([[3.0, 4.0], [0.0, 3.0], [6.0, 8.0]])   # norms 5, 3, 10
    # -(1/3) * (min(0, 4-5) + min(0, 4-3) + min(0, 4-10)) = (1 + 0 + 6) / 3
    assert norm_term(z, 4.0).item() == pytest.approx(7 / 3, rel=1e-6)


def test_total_loss_weights_every_term_and_vreg_switches_two_off():
    u, v = torch.tensor(U) * 3, torch.tensor(V) * 3
    song = torch.arange(3)
    cfg = LossConfig()
    x = hand_decoupled(U, V, lambda i, j: i == j)
    var = variance_term(u, 1e-4).item() + variance_term(v, 1e-4).item()
    cov = covariance_term(u).item() + covariance_term(v).item()
    norm = norm_term(u, 4.0).item() + norm_term(v, 4.0).item()
    total, terms = samplematch_loss(u, v, song, cfg)
    assert total.item() == pytest.approx(x + 1 * var + 1 * cov + 10 * norm, rel=1e-5)
    assert terms["contrastive"] == pytest.approx(x, rel=1e-5)
    no_vreg, _ = samplematch_loss(u, v, song, LossConfig(vreg=False))
    assert no_vreg.item() == pytest.approx(x + 10 * norm, rel=1e-5)
    assert norm > 0 and var + cov > 0


def test_qsi_invariance_adds_same_song_query_and_key_positives():
    u4 = U + [[0.2, -0.3]]
    v4 = V + [[1.0, 1.0]]
    song = [0, 0, 1, 1]
    same = lambda i, j: song[i] == song[j]                       # noqa: E731
    other_same = lambda i, j: song[i] == song[j] and i != j      # noqa: E731
    itself = lambda i, j: i == j                                 # noqa: E731
    expected = (hand_decoupled(u4, v4, same) + hand_decoupled(u4, u4, other_same, itself)
                + hand_decoupled(v4, v4, other_same, itself))
    cfg = LossConfig(qsi_invariance=True)
    got = contrastive_term(torch.tensor(u4), torch.tensor(v4), torch.tensor(song), cfg)
    assert got.item() == pytest.approx(expected, rel=1e-5)
    plain = contrastive_term(torch.tensor(u4), torch.tensor(v4), torch.tensor(song), LossConfig())
    assert plain.item() == pytest.approx(hand_decoupled(u4, v4, itself), rel=1e-5)


def test_the_hit_term_asks_each_hit_view_for_its_own_key_among_other_songs_keys():
    from training.losses import hit_term

    hits, v = torch.tensor(U), torch.tensor(V)
    song = torch.tensor([0, 0, 1])  # keys 0 and 1 are one song's: neither is the other's negative
    expected = hand_decoupled(U, V, lambda i, j: i == j, exclude=lambda i, j: i != j and (i < 2) == (j < 2))
    assert hit_term(hits, v, song, TAU).item() == pytest.approx(expected, rel=1e-5)
    u = torch.tensor(U) * 3
    plain, _ = samplematch_loss(u, v, torch.arange(3), LossConfig())
    total, terms = samplematch_loss(u, v, torch.arange(3), LossConfig(hit_weight=0.5), hits=hits * 3)
    h = hit_term(hits, v, torch.arange(3), TAU).item()
    assert total.item() == pytest.approx(plain.item() + 0.5 * (h + 10 * norm_term(hits * 3, 4.0).item()), rel=1e-5)
    assert terms["hit"] == pytest.approx(h, rel=1e-5)
    with pytest.raises(ValueError, match="hit views"):
        samplematch_loss(u, v, torch.arange(3), LossConfig(hit_weight=0.5))
