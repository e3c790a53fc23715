"""A small client for any server that speaks the OpenAI chat protocol
(POST {url}/v1/chat/completions, non-streaming): Ollama, vLLM, llama.cpp's server,
`hearten serve`, or another support bot. Standard library only."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class ChatError(RuntimeError):
    """The server could not be reached or answered with something unusable."""


def endpoint(url: str) -> str:
    """The chat-completions address for a base URL, with or without /v1."""
    base = url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if base.endswith("/v1"):
        return f"{base}/chat/completions"
    return f"{base}/v1/chat/completions"


class ChatClient:
    def __init__(
        self,
        url: str,
        model: str = "default",
        *,
        timeout: float = 120.0,
        api_key: str | None = None,
        temperature: float | None = None,
    ) -> None:
        self.url = endpoint(url)
        self.model = model
        self.timeout = timeout
        self.api_key = api_key
        self.temperature = temperature

    def complete(self, messages: list[Message], *, seed: int | None = None) -> str:
        """The assistant's reply to the whole conversation in `messages`."""
        body: dict[str, Any] = {"model": self.model, "messages": messages, "stream": False}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if seed is not None:
            body["seed"] = seed
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:200]
            raise ChatError(f"{self.url} answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ChatError(f"cannot reach {self.url}: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise ChatError(f"{self.url} did not answer with JSON") from exc
        try:
            content = payload["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise ChatError(f"{self.url} answered without choices[0].message.content") from exc
        if not isinstance(content, str):
            raise ChatError(f"{self.url} answered with non-text content")
        return content.strip()
