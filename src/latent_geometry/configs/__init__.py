"""Parameter specifications of the chapters: ``CHAPTERS[name]`` is a tuple of :class:`~latent_geometry.config.Param`.

One module per chapter, owned by that chapter; :func:`latent_geometry.config.make_config` reads them.
"""

from latent_geometry.configs import ch1, ch2

CHAPTERS = {
    "ch1": ch1.PARAMS,
    "ch2": ch2.PARAMS,
    "environment": (),  # the appendix page: a profile, no parameters
}
