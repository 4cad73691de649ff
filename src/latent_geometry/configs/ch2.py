"""Chapter 2 (seed 001, Ricci-type curvature regularization): parameters and their values per profile."""

from latent_geometry.config import Param, positive
from latent_geometry.configs.common import device_param, seed_param, training_params

PARAMS = (
    seed_param(),
    device_param(),
    *training_params(epochs={"smoke": 1, "laptop": 20, "paper": 100}, batch_size={"smoke": 128, "laptop": 128,
                     "paper": 128}, lr=1e-3),
)
