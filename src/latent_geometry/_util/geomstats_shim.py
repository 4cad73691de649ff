"""The one place that imports geomstats (a test oracle and plotting aid, never a training dependency).

geomstats 2.8.0 chooses its backend once, at first import, from ``GEOMSTATS_BACKEND`` (numpy if unset, silently),
and imports ``numpy.trapz``, which numpy 2.4 removed. Import it only as ``from latent_geometry._util.geomstats_shim import gs,
geomstats`` so both are handled. We use the ``autograd`` backend: its values are plain float64 numpy arrays and its curvature (nested derivatives
through autograd) is correct, whereas the pytorch backend detaches nested Jacobians (checked against closed forms in
tests/test_geometry.py).
"""

import os
import warnings

import numpy as np

os.environ.setdefault("GEOMSTATS_BACKEND", "autograd")
if not hasattr(np, "trapz"):  # numpy >= 2.4 removed trapz; geomstats 2.8.0 still imports it
    np.trapz = np.trapezoid

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ImportWarning)
    import geomstats  # noqa: E402
    import geomstats.backend as gs  # noqa: E402

BACKEND = gs.__name__.rsplit(".", 1)[-1]

__all__ = ["geomstats", "gs", "BACKEND"]
