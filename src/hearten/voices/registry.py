"""The voice registry: built-in voices and third-party ones from the
`hearten.voices` entry-point group (in the spirit of simonw/llm's model plugins).

A plugin package declares, in its pyproject.toml:

    [project.entry-points."hearten.voices"]
    myvoice = "my_package:make_voice"

where `make_voice(settings) -> Voice`."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from hearten.voices.base import Voice
from hearten.voices.composer import Composer

if TYPE_CHECKING:
    from hearten.config import Settings

VoiceFactory = Callable[["Settings"], Voice]


def _composer(settings: Settings) -> Voice:
    return Composer()


# The LLM voices import their clients (httpx, llama_cpp) only when chosen.


def _openai(settings: Settings) -> Voice:
    from hearten.voices.openai import OpenAIVoice

    return OpenAIVoice.from_settings(settings)


def _llama_cpp(settings: Settings) -> Voice:
    from hearten.voices.llama import LlamaVoice

    return LlamaVoice.from_settings(settings)


BUILT_IN: dict[str, tuple[VoiceFactory, str]] = {
    "composer": (_composer, "authored phrasings, offline (default)"),
    "openai": (_openai, "any OpenAI-compatible server at llm_base_url (Ollama, vLLM, llama.cpp)"),
    "llama-cpp": (_llama_cpp, "a local GGUF model at gguf_path (needs hearten[llama])"),
}


def available() -> dict[str, tuple[VoiceFactory, str]]:
    """Every voice by name, with a one-line description."""
    voices = dict(BUILT_IN)
    for ep in entry_points(group="hearten.voices"):
        if ep.name not in voices:
            voices[ep.name] = (_lazy(ep.name, ep.load), f"plugin from {ep.value}")
    return voices


def _lazy(name: str, load: Callable[[], object]) -> VoiceFactory:
    def make(settings: Settings) -> Voice:
        factory = load()
        if not callable(factory):
            raise TypeError(f"voice plugin {name} is not callable")
        voice = factory(settings)
        return voice  # type: ignore[no-any-return]

    return make


def load_voice(name: str, settings: Settings) -> Voice:
    voices = available()
    if name not in voices:
        raise ValueError(f"unknown voice {name!r}; `hearten voices` lists them")
    return voices[name][0](settings)
