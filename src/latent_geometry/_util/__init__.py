"""Internal helpers every layer may use: argument checks, atomic writes, seeds and devices, the geomstats shim."""
