"""Learning: autoencoders, objectives, the book's one training loop, embedding metrics, and the datasets.

``models`` builds MLP and convolutional autoencoders whose latent code may pass through a map such as a product
manifold's exponential map (seed 000, §3.1); ``objectives`` holds reconstruction losses and baselines; ``training``
the single seeded, resumable Adam loop every chapter uses (``TrainSettings.from_config(cfg)`` takes a chapter's
validated config whole); ``embedding_metrics`` scores learned charts (Procrustes, trustworthiness, bootstrap
intervals); ``data`` loads MNIST/KMNIST and generates the seeded toy datasets.
"""

from latent_geometry.learning.geometric_ae import GeometricAutoencoder
from latent_geometry.learning.landscape import (
    Job,
    JobResult,
    LandscapeData,
    LandscapeSettings,
    LearnedKappa,
    landscape_data,
    train_jobs,
    train_learned_kappa,
)
from latent_geometry.learning.models import ACTIVATIONS, Autoencoder, MLPAutoencoder, conv_autoencoder, mlp
from latent_geometry.learning.objectives import Reconstruction, mean_predictor_mse
from latent_geometry.learning.training import History, TrainSettings, train

__all__ = ["ACTIVATIONS", "Autoencoder", "MLPAutoencoder", "conv_autoencoder", "mlp", "Reconstruction",
           "mean_predictor_mse", "History", "TrainSettings", "train", "GeometricAutoencoder", "Job", "JobResult",
           "LandscapeData", "LandscapeSettings", "LearnedKappa", "landscape_data", "train_jobs",
           "train_learned_kappa"]
