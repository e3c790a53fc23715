"""Reading hearten's YAML data files (the reply library, rules, resources, cards).

PyYAML's pure-Python parser takes most of a second over the bundled data at every
start; its libyaml binding (in PyYAML's wheels) reads the same in a tenth of that.
Both are the safe loader: plain data, no objects."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """The data in a YAML document, read safely (and fast where libyaml is there)."""
    return yaml.load(text, Loader=_LOADER)
