"""Reading hearten's YAML data files (the reply library, rules, resources, cards).

PyYAML's pure-Python parser takes most of a second over the bundled data at every
start; its libyaml binding (in PyYAML's wheels) reads the same in a tenth of that.
Both are the safe loader: plain data, no objects. A key given twice in one mapping is
an error: YAML would keep the last silently, and a rule file once lost a block so."""

from __future__ import annotations

from typing import Any

import yaml

_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE):  # type: ignore[misc]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # "<<: *defaults": the base constructor merges those
            key = self.construct_object(key_node, deep=deep)
            try:
                twice = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: let the base constructor say so
                break
            if twice:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"the key {key!r} is given twice", key_node.start_mark,
                )  # fmt: skip
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def load_yaml(text: str) -> Any:
    """The data in a YAML document, read safely (and fast where libyaml is there)."""
    return yaml.load(text, Loader=_Loader)
