"""Chapter 2's training objective: reconstruction + λ_curv · a curvature functional (+ the authors' side terms).

    L = mean_batch ‖x̂ − x‖² + λ_curv · L_curv + λ_unif · U(φ) + λ_jac · mean ‖J_Ψ‖²_F + λ_iso · D_iso

(seed 001, slide "Loss function"; the authors' code uses Σ_batch ‖x̂ − x‖²/B). L_curv is one of ``FUNCTIONALS``:

- ``"authors"``: mean R²√det g at the batch codes — seed 001 eq. (1) as the authors coded it; not invariant
  under a rescaling of the latent coordinates.
- ``"data"``: mean R² at the batch codes = ∫R² dμ, μ the code distribution (invariant; ours).
- ``"uniform"``: |Ω| mean R²√det g at uniform samples of the whole latent Ω = ∫_Ω R² dV_g (invariant; ours).
- ``"F"``, ``"W"`` (seed 001 eqs. (2), (3); our reading, the authors never implemented them), at uniform samples:
  on the **torus** latent the flattening losses −λ̂(g) and log(V/4πτ) − 2 − μ̂(g, τ) of
  :mod:`latent_geometry.geometry.torus` (≥ 0, zero exactly on flat metrics); on the **box** [−1, 1]² the old
  ascent −F, −W (:func:`~latent_geometry.geometry.functionals.perelman_F_loss`), kept only as a documented negative
  result: on a box, λ is not capped at 0 and ascent rewards positive curvature.

``detach`` (default True, the authors' latest code) detaches the codes in the curvature term, so only the decoder
(and the potential) receive curvature gradients; ``detach=False`` (their 2023 notebook) lets the encoder move codes
into flat regions. U is the TorusAE equidistribution loss (:func:`~latent_geometry.learning.torus_ae.uniformity_loss`),
the Jacobian term is the authors' decoder-Jacobian penalty (our reading: the squared Frobenius norm at the codes),
D_iso the relaxed distortion of seed 002 eq. (16) (the isometry control).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from latent_geometry._util.checks import check_choice, check_int, check_number
from latent_geometry.geometry import functionals as cf
from latent_geometry.geometry import jacobian
from latent_geometry.geometry import torus as tg
from latent_geometry.geometry.distortion import relaxed_distortion
from latent_geometry.learning.torus_ae import uniformity_loss

FUNCTIONALS = ("authors", "data", "uniform", "F", "W")
LATENTS = ("box", "torus", "euclidean")
BOX = (-1.0, 1.0)  # Ω of the box latent: the range of the encoder's final sin

__all__ = ["BOX", "FUNCTIONALS", "LATENTS", "CodeRegression", "CurvatureObjective", "Penalty", "latent_volume"]


def latent_volume(latent: str, dim: int = 2) -> float:
    """|Ω| of the compact latents: (2π)^d for the torus, 2^d for the box."""
    check_choice(latent, "parameter 'latent'", ("box", "torus"))
    return (2 * math.pi) ** dim if latent == "torus" else (BOX[1] - BOX[0]) ** dim


@dataclass(frozen=True)
class Penalty:
    """What a run adds to reconstruction: a curvature ``functional`` (None: none) with weight ``lam``, whether the
    curvature term sees detached codes, and the side terms' weights (0: off)."""

    functional: str | None = None
    lam: float = 0.0
    detach: bool = True
    lam_unif: float = 0.0
    lam_jac: float = 0.0
    lam_iso: float = 0.0

    def __post_init__(self):
        if self.functional is not None:
            check_choice(self.functional, "parameter 'functional'", FUNCTIONALS)
        for name in ("lam", "lam_unif", "lam_jac", "lam_iso"):
            object.__setattr__(self, name, check_number(getattr(self, name), f"parameter {name!r}", low=0))
        if self.functional is None and self.lam != 0:
            raise ValueError(f"parameter 'lam' must be 0 without a functional, got {self.lam!r}")
        if not isinstance(self.detach, bool):
            raise TypeError(f"parameter 'detach' must be a bool, got {self.detach!r}")

    @property
    def curvature(self) -> bool:
        return self.functional is not None and self.lam > 0


class CurvatureObjective:
    """``objective(model, batch) -> {"loss", "recon", ...}`` for a :class:`Penalty` on a ``latent`` (LATENTS).

    ``n_curv`` points per step carry the curvature term: the first n_curv codes of the shuffled batch
    ("authors", "data") or n_curv uniform samples of Ω ("uniform", "F", "W"), from this objective's seeded
    generator. ``tau`` is W's time scale, ``eps`` the Tikhonov term of the curvature. Models need ``.encoder``,
    ``.decoder`` and, for "F"/"W", ``.potential``. The returned dict also holds the curvature term ``curv`` and, for
    "F"/"W", the importance-sampling effective sample size ``ess`` of the step's estimate.
    """

    def __init__(self, penalty: Penalty = Penalty(), latent: str = "torus", *, n_curv: int = 32, eps: float = 0.0,
                 tau: float = 1.0, n_moments: int = 4, seed: int = 0):
        if not isinstance(penalty, Penalty):
            raise TypeError("parameter 'penalty' must be a Penalty")
        check_choice(latent, "parameter 'latent'", LATENTS)
        if penalty.curvature and penalty.functional != "authors" and penalty.functional != "data" \
                and latent == "euclidean":
            raise ValueError(f"functional {penalty.functional!r} needs a compact latent ('box' or 'torus')")
        if penalty.lam_unif > 0 and latent != "torus":
            raise ValueError("parameter 'lam_unif' applies to the torus latent only")
        check_int(n_curv, "parameter 'n_curv'", low=2)
        check_int(n_moments, "parameter 'n_moments'", low=1)
        self.penalty, self.latent = penalty, latent
        self.n_curv, self.n_moments = n_curv, n_moments
        self.eps = check_number(eps, "parameter 'eps'", low=0)
        self.tau = check_number(tau, "parameter 'tau'", low=0, low_open=True)
        self.generator = torch.Generator().manual_seed(seed)
        self.needs_grad = penalty.curvature or penalty.lam_jac > 0 or penalty.lam_iso > 0

    def uniform_points(self, like: torch.Tensor) -> torch.Tensor:
        """n_curv uniform samples of Ω, (n_curv, d), on ``like``'s device and dtype."""
        u = torch.rand(self.n_curv, like.shape[1], generator=self.generator, dtype=like.dtype).to(like.device)
        if self.latent == "torus":
            return (2 * u - 1) * math.pi
        return BOX[0] + (BOX[1] - BOX[0]) * u

    def curvature_term(self, model, z: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """(L_curv, diagnostics) at the batch codes z (B, d) (module docstring)."""
        functional = self.penalty.functional
        if functional is None:
            raise ValueError("a penalty without functional has no curvature term")
        if functional in ("authors", "data"):
            points = (z.detach() if self.penalty.detach else z)[: self.n_curv]
            return cf.squared_curvature(model.decoder, points, functional, eps=self.eps), {}
        points = self.uniform_points(z)
        if functional == "uniform":
            volume = latent_volume(self.latent, z.shape[1])
            return cf.squared_curvature(model.decoder, points, "uniform", domain_volume=volume, eps=self.eps), {}
        potential = getattr(model, "potential", None)
        if not isinstance(potential, torch.nn.Module):
            raise ValueError(f"functional {functional!r} needs a model with a learned potential (model.potential)")
        if self.latent == "torus":
            if functional == "F":
                loss, info = tg.torus_F_loss(model.decoder, potential, points, eps=self.eps)
            else:
                loss, info = tg.torus_W_loss(model.decoder, potential, points, self.tau, eps=self.eps)
            return loss, {"ess": torch.as_tensor(float(info["ess"]))}
        log_q = -math.log(latent_volume("box", z.shape[1]))  # the box ascent: negative result only
        if functional == "F":  # seed 001 eq. (2)
            return cf.perelman_F_loss(model.decoder, potential, points, log_q, eps=self.eps), {}
        return cf.perelman_W_loss(model.decoder, potential, points, self.tau, log_q, eps=self.eps), {}  # eq. (3)

    def __call__(self, model, batch) -> dict[str, torch.Tensor]:
        x = batch[0]
        x_hat, z = model(x)
        recon = (x_hat - x).square().sum(-1).mean()  # the authors' Σ_batch ‖x̂ − x‖² / B
        terms = {"recon": recon}
        loss = recon
        p = self.penalty
        if p.curvature:
            curv, info = self.curvature_term(model, z)
            terms.update(curv=curv, **info)
            loss = loss + p.lam * curv
        if p.lam_unif > 0:
            terms["unif"] = uniformity_loss(z, self.n_moments)
            loss = loss + p.lam_unif * terms["unif"]
        if p.lam_jac > 0:
            jac = jacobian(model.decoder, z.detach()[: self.n_curv])
            terms["jac"] = jac.square().sum((-2, -1)).mean()
            loss = loss + p.lam_jac * terms["jac"]
        if p.lam_iso > 0:  # seed 002, eq. (16): at the codes, as the IRAE does
            terms["iso"] = relaxed_distortion(model.decoder, z)  # exact traces: m = 2 costs no more than a probe
            loss = loss + p.lam_iso * terms["iso"]
        terms["loss"] = loss
        return terms


class CodeRegression:
    """``objective(model, batch) -> {"loss"}`` with loss = mean ‖encoder(x) − y‖² for a batch (x, y): fits the
    encoder to given target codes (the isometry control's start from Isomap coordinates)."""

    needs_grad = False

    def __call__(self, model, batch) -> dict[str, torch.Tensor]:
        x, y = batch[0], batch[1]
        return {"loss": (model.encode(x) - y).square().sum(-1).mean()}
