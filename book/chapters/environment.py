# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# (environment-and-runs)=
# # Environment and runs
#
# Every executed page of this book opens with a provenance block. This appendix collects them: which profile,
# configuration (and its hash), commit and device produced each page, when, and how long it took. It is executed
# last, in the same folder as the chapters it tabulates.

# %% tags=["parameters"]
profile = "laptop"

# %% tags=["remove-input"]
from pathlib import Path

from latent_geometry.runtime.config import make_config
from latent_geometry.runtime.provenance import Run, library_versions, runs_table

run = Run(make_config("environment", profile))

# %%
runs_table(Path.cwd(), exclude=["environment"])  # this page's own block is at its top

# %% [markdown]
# A row marked *dirty* was produced from a working tree with uncommitted changes. The configuration of a page is in
# its own provenance block (click to expand); re-running a chapter with the same profile, parameters and commit
# reproduces its numbers on the CPU.
#
# ## Library versions of the environment that executed this appendix

# %%
import pandas as pd

pd.DataFrame(sorted(library_versions().items()), columns=["package", "version"])

# %% tags=["remove-input"]
run.finish();
