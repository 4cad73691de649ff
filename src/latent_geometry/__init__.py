"""latent_geometry: the library behind the latent-geometry replication book.

Modules (import what you need; nothing heavy is imported here):

- ``manifolds``: E², S², H² and their products (exp maps, distances, charts) — chapter 1
- ``search_space``, ``spectral``, ``walks``: the Gromov–Hausdorff-weighted search graph and searches on it — chapter 1
- ``geometry``, ``curvature_functionals``, ``ricci_flow``: decoder pullback metric, curvature, Ricci-type functionals
- ``data``: MNIST/KMNIST tensors and seeded synthetic datasets
- ``models``, ``objectives``, ``training``: autoencoders, objectives and the one training loop
- ``config``, ``configs``, ``provenance``, ``pipeline``: profiles, validated configs, run records, book execution
"""

__version__ = "0.1.0"
