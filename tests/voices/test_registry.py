"""The built-in voices in the registry, and that choosing the composer never loads an
HTTP client or llama.cpp."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from hearten.cli import main
from hearten.config import Settings
from hearten.voices import Composer
from hearten.voices.registry import BUILT_IN, available, load_voice


def test_the_built_in_voices() -> None:
    assert list(BUILT_IN) == ["composer", "openai", "llama-cpp"]
    assert set(BUILT_IN) <= set(available())
    assert isinstance(load_voice("composer", Settings()), Composer)


def test_hearten_voices_lists_them() -> None:
    out = CliRunner().invoke(main, ["voices"]).output
    for name in ("composer", "openai", "llama-cpp"):
        assert f" {name} " in out
    assert "* composer" in out


def test_the_composer_loads_no_llm_client() -> None:
    code = (
        "import sys\n"
        "from hearten.companion import Companion\n"
        "from hearten.config import Settings\n"
        "from hearten.voices.registry import available\n"
        "available()\n"
        "c = Companion(Settings(), encoder=None)\n"
        "c.session('x', persist=False).send('I feel a bit low today')\n"
        "print(sorted(m for m in ('httpx', 'llama_cpp') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
