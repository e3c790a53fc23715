"""The composer: hearten's default voice, written by people, filled with the
person's own words."""

from hearten.voices.composer.composer import Composer
from hearten.voices.composer.library import Library, load_library

__all__ = ["Composer", "Library", "load_library"]
