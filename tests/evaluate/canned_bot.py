"""A tiny OpenAI-compatible chat server for tests: POST /v1/chat/completions answers
every conversation with the same supportive lines, and logs how many messages each
request carried. Run as `python canned_bot.py PORT_FILE LOG_FILE`; it listens on a
free port of 127.0.0.1 and writes the port to PORT_FILE."""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPLY = (
    "I'm sorry you're going through this, it sounds really hard. "
    "What has been the hardest part for you?"
)


class Handler(BaseHTTPRequestHandler):
    log_file: Path

    def do_POST(self) -> None:
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        messages = body["messages"]
        with self.log_file.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"messages": len(messages), "first": messages[0]["role"],
                                "last": messages[-1]["role"]}) + "\n")
        payload = json.dumps({
            "id": "canned", "object": "chat.completion", "model": body.get("model", "canned"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": REPLY}}],
        }).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    port_file, log_file = Path(sys.argv[1]), Path(sys.argv[2])
    Handler.log_file = log_file
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
