"""Voices: turn a Plan into words. The composer is the default and works offline."""

from hearten.voices.base import Utterance, Voice
from hearten.voices.composer import Composer

__all__ = ["Composer", "Utterance", "Voice"]
