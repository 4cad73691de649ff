"""Parameter specifications of the chapters: ``CHAPTERS[name]`` is a :class:`~latent_geometry.runtime.params.ChapterSpec`.

One module per chapter, owned by that chapter; :func:`latent_geometry.runtime.config.make_config` reads them.
"""

from latent_geometry.runtime.params import ChapterSpec
from latent_geometry.runtime.specs import ch1, ch2

CHAPTERS = {
    "ch1": ChapterSpec(ch1.PARAMS),
    "ch2": ChapterSpec(ch2.PARAMS, ch2.CROSS_CHECKS),
    "numerical_accuracy": ChapterSpec(()),
    "environment": ChapterSpec(()),  # the appendix page: a profile, no parameters
}
