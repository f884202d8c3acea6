"""The method's loss (section 3): decoupled NT-Xent + VICReg variance/covariance + norm hinge.

L = X + gamma * (V(U) + V(K)) + delta * (C(U) + C(K)) + eta * (N(U) + N(K)), with U the query and K the
key encodings of a batch (raw network outputs; the contrastive term takes their cosine).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class LossConfig:
    temperature: float = 0.2          # tau
    variance_weight: float = 1.0      # gamma
    covariance_weight: float = 1.0    # delta
    norm_weight: float = 10.0         # eta
    norm_limit: float = 4.0           # c
    variance_eps: float = 1e-4        # epsilon of the regularised standard deviation
    vreg: bool = True                 # variance + covariance terms on (Table 1 "VReg")
    qsi_invariance: bool = False      # same-song queries and same-song keys are positives too
    hit_weight: float = 0.0           # weight of the hit term H (0 = off: no hit views are rendered)


def decoupled_nt_xent(anchors: torch.Tensor, candidates: torch.Tensor, positives: torch.Tensor,
                      temperature: float, exclude: torch.Tensor | None = None) -> torch.Tensor:
    """Mean over positive pairs (i, j) of -log(e^{s_ij/tau} / sum_{l not positive for i} e^{s_il/tau}).

    positives: (n_anchors, n_candidates) bool; `exclude` marks entries in neither numerator nor
    denominator (an anchor itself when anchors and candidates are the same set). Decoupled: every
    positive of i is left out of i's denominator.
    """
    sim = F.normalize(anchors.float(), dim=1) @ F.normalize(candidates.float(), dim=1).T
    return nt_xent_from_similarity(sim, positives, temperature, exclude)


def nt_xent_from_similarity(sim: torch.Tensor, positives: torch.Tensor, temperature: float,
                            exclude: torch.Tensor | None = None) -> torch.Tensor:
    """decoupled_nt_xent on a given (n_anchors, n_candidates) cosine matrix."""
    sim = sim / temperature
    out_of_denominator = positives if exclude is None else positives | exclude
    log_denominator = torch.logsumexp(sim.masked_fill(out_of_denominator, float("-inf")), dim=1)
    per_pair = log_denominator[:, None] - sim
    return per_pair[positives].mean()


def variance_term(z: torch.Tensor, eps: float) -> torch.Tensor:
    """V(Z): mean over dimensions of max(0, 1 - sqrt(Var + eps)), unbiased variance over the batch."""
    std = torch.sqrt(z.float().var(dim=0) + eps)
    return F.relu(1.0 - std).mean()


def covariance_term(z: torch.Tensor) -> torch.Tensor:
    """C(Z): sum of squared off-diagonal covariances / d (covariance over the batch, 1/(n-1))."""
    z = z.float()
    n, d = z.shape
    centred = z - z.mean(dim=0)
    cov = centred.T @ centred / (n - 1)
    off_diagonal = cov - torch.diag(torch.diagonal(cov))
    return off_diagonal.square().sum() / d


def norm_term(z: torch.Tensor, limit: float) -> torch.Tensor:
    """N(Z) = -(1/n) sum_i min(0, c - ||z_i||): penalises norms above c."""
    return F.relu(z.float().norm(dim=1) - limit).mean()


def conditioned_similarity(u: torch.Tensor, v: torch.Tensor, key_class: torch.Tensor,
                           query_offset: torch.Tensor | None = None) -> torch.Tensor:
    """(n, n) cosine of query i's vector for key j's class with key j: how the app scores a key.
    query_offset: (n,) first vector of query i's mode block (model.conditioning.mode_offset); None: 0."""
    rows = torch.arange(len(u), device=u.device)[:, None]
    chosen = key_class[None, :] if query_offset is None else query_offset[:, None] + key_class[None, :]
    per_key = F.normalize(u.float(), dim=-1)[rows, chosen]              # (n queries, n keys, d)
    return (per_key * F.normalize(v.float(), dim=-1)[None]).sum(dim=-1)


def own_class_queries(u: torch.Tensor, key_class: torch.Tensor | None,
                      query_offset: torch.Tensor | None = None) -> torch.Tensor:
    """Each pair's query vector for its own key's class (u itself when queries are not conditioned)."""
    if u.dim() == 2:
        return u
    assert key_class is not None  # conditioned queries come with their keys' classes
    chosen = key_class if query_offset is None else query_offset + key_class
    return u[torch.arange(len(u), device=u.device), chosen]


def contrastive_term(u: torch.Tensor, v: torch.Tensor, song: torch.Tensor, cfg: LossConfig,
                     key_class: torch.Tensor | None = None, query_offset: torch.Tensor | None = None
                     ) -> torch.Tensor:
    """X: queries against keys; with QSI-invariance also query-query and key-key, by song.

    u: (n, d), or (n, classes, d) class-conditioned queries scored per key by key_class.
    """
    n = len(u)
    eye = torch.eye(n, dtype=torch.bool, device=u.device)
    if u.dim() == 3:
        if key_class is None:
            raise ValueError("class-conditioned queries need each key's class")
        sim = conditioned_similarity(u, v, key_class, query_offset)
    else:
        sim = F.normalize(u.float(), dim=1) @ F.normalize(v.float(), dim=1).T
    if not cfg.qsi_invariance:
        return nt_xent_from_similarity(sim, eye, cfg.temperature)
    same_song = song[:, None] == song[None, :]
    others = same_song & ~eye
    loss = nt_xent_from_similarity(sim, same_song, cfg.temperature)
    u = u.flatten(1)   # a conditioned query is all its class vectors: same-song excerpts match as a whole
    if others.any():
        loss = loss + decoupled_nt_xent(u, u, others, cfg.temperature, exclude=eye)
        loss = loss + decoupled_nt_xent(v, v, others, cfg.temperature, exclude=eye)
    return loss


def hit_term(hits: torch.Tensor, v: torch.Tensor, song: torch.Tensor, temperature: float) -> torch.Tensor:
    """H: each one-shot heard in a mix (its hit view) against the clean keys, its own key the positive.
    Other keys of the same song are left out of the denominator: with QSI they are that song's positives,
    and a kit often holds near-copies (the sample and its hit cut from the stem)."""
    eye = torch.eye(len(v), dtype=torch.bool, device=v.device)
    same_song = (song[:, None] == song[None, :]) & ~eye
    return decoupled_nt_xent(hits, v, eye, temperature, exclude=same_song)


def samplematch_loss(u: torch.Tensor, v: torch.Tensor, song: torch.Tensor, cfg: LossConfig,
                     key_class: torch.Tensor | None = None, query_offset: torch.Tensor | None = None,
                     hits: torch.Tensor | None = None) -> tuple[torch.Tensor, dict[str, float]]:
    """Total loss and its terms (floats, for logging). song: (n,) song index of each pair; key_class: (n,)
    class index of each key, for class-conditioned queries (the regularisers see each pair's own class);
    query_offset: (n,) each query's mode block, for queries with modes; hits: (n, d) key-encoder outputs of
    the hit views (with cfg.hit_weight > 0)."""
    x = contrastive_term(u, v, song, cfg, key_class, query_offset)
    u = own_class_queries(u, key_class, query_offset)
    var = variance_term(u, cfg.variance_eps) + variance_term(v, cfg.variance_eps)
    cov = covariance_term(u) + covariance_term(v)
    norm = norm_term(u, cfg.norm_limit) + norm_term(v, cfg.norm_limit)
    total = x + cfg.norm_weight * norm
    if cfg.vreg:
        total = total + cfg.variance_weight * var + cfg.covariance_weight * cov
    terms = {"contrastive": x.item(), "variance": var.item(), "covariance": cov.item(), "norm": norm.item()}
    if cfg.hit_weight > 0:
        if hits is None:
            raise ValueError("a hit term needs the hit views' encodings")
        h = hit_term(hits, v, song, cfg.temperature)
        total = total + cfg.hit_weight * (h + cfg.norm_weight * norm_term(hits, cfg.norm_limit))
        terms["hit"] = h.item()
    return total, {"loss": total.item()} | terms
