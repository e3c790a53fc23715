"""Hypothesis throws generated requests at a real server: whatever comes in, the answer
is never a 500 (and the server keeps answering)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.conftest import Server, running

ROUTES = [
    ("POST", "/api/conversations/{id}/messages"),
    ("GET", "/api/conversations/{id}"),
    ("DELETE", "/api/conversations/{id}"),
    ("PATCH", "/api/goals/{id}"),
    ("PUT", "/api/safety-plan"),
    ("POST", "/v1/chat/completions"),
    ("POST", "/api/conversations"),
    ("GET", "/api/export"),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
bodies = st.one_of(
    st.builds(lambda t: json.dumps({"text": t}).encode(), st.text(max_size=300)),
    st.builds(lambda v: json.dumps(v).encode(), json_values),
    st.binary(max_size=300),
    st.builds(
        lambda msgs, stream: json.dumps({"messages": msgs, "stream": stream}).encode(),
        st.lists(
            st.fixed_dictionaries(
                {
                    "role": st.sampled_from(["user", "assistant", "system", "x"]),
                    "content": st.text(max_size=80) | json_values,
                }
            ),
            max_size=4,
        ),
        st.booleans(),
    ),
)
ids = st.one_of(
    st.integers(min_value=-5, max_value=10),
    st.integers(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12),
)
keys = st.none() | st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300
).map(str.strip)  # a client cannot send a header value with spaces around it


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    home: Path = tmp_path_factory.mktemp("fuzz")
    with running(
        home,
        "sqlite",
        "--rate",
        "1000000",
        "--burst",
        "1000000",
        "--stream-delay",
        "0",
        "--encoder",
        "none",
    ) as server:
        token = server.add_user("fuzz")
        with server.client(token) as c:
            for _ in range(3):
                c.post("/api/conversations")
        yield server, token


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    route=st.sampled_from(ROUTES),
    ident=ids,
    body=bodies,
    key=keys,
    stream=st.booleans(),
    content_type=st.sampled_from(["application/json", "text/plain", ""]),
)
def test_no_request_gets_a_500(
    fuzz_server: tuple[Server, str],
    route: tuple[str, str],
    ident: object,
    body: bytes,
    key: str | None,
    stream: bool,
    content_type: str,
) -> None:
    server, token = fuzz_server
    method, template = route
    path = template.replace("{id}", quote(str(ident), safe=""))
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    if stream:
        headers["Accept"] = "text/event-stream"
    if content_type:
        headers["Content-Type"] = content_type
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.request(method, path, content=body, headers=headers)
        r.read()
    assert r.status_code < 500, (method, path, body[:80], r.status_code, r.text[:200])
