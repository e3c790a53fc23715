"""A tiny llama-architecture GGUF with random weights, written with the `gguf` package,
so the llama-cpp voice and llama-cpp-python's server can be tested for real without
downloading a model. Its text is gibberish; loading, tokenising, chat templating,
streaming, cancelling and failing are all real.

The vocabulary is byte-level BPE in the GPT-2 style: the 256 byte symbols, merges
learned here from a little English text, and three control tokens for a ChatML
template. Any text can be tokenised and every token decodes back to bytes."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import gguf
import numpy as np

N_EMBD = 64
N_HEAD = 4
N_FF = 128
N_LAYER = 2
CONTEXT = 2048
MERGES = 240

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

_TEXT = """
You are a warm listener for someone who is feeling low. It sounds like work has been
really heavy lately, and your boss keeps piling projects on you. That makes sense.
Many people feel this way when there is too much to do and too little time. What has
the past week been like for you? I am here, and there is no rush. Would it help to
take a short walk on your lunch break, or to talk to someone you trust about how
things really are? Starting small is often the approach that sticks.
"""
_PRETOKEN = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+")


def byte_symbols() -> list[str]:
    """GPT-2's printable stand-in for each byte, in byte order."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    printable += list(range(ord("®"), ord("ÿ") + 1))
    symbols: dict[int, str] = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in symbols:
            symbols[b] = chr(256 + extra)
            extra += 1
    return [symbols[b] for b in range(256)]


def learn_merges(text: str, count: int) -> list[tuple[str, str]]:
    """Byte-pair merges, most frequent pair first, from `text`."""
    table = byte_symbols()
    words = Counter(
        tuple(table[b] for b in piece.encode("utf-8")) for piece in _PRETOKEN.findall(text)
    )
    merges: list[tuple[str, str]] = []
    for _ in range(count):
        pairs: Counter[tuple[str, str]] = Counter()
        for word, n in words.items():
            for pair in itertools.pairwise(word):
                pairs[pair] += n
        if not pairs:
            break
        best = max(pairs.items(), key=lambda item: (item[1], item[0]))[0]
        merges.append(best)
        joined: Counter[tuple[str, ...]] = Counter()
        for word, n in words.items():
            out: list[str] = []
            i = 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            joined[tuple(out)] += n
        words = joined
    return merges


def write_tiny_llama(path: Path, *, seed: int = 0) -> Path:
    """Write the model to `path` and return it."""
    rng = np.random.default_rng(seed)
    merges = learn_merges(_TEXT, MERGES)
    tokens = byte_symbols()
    for left, right in merges:
        if left + right not in tokens:
            tokens.append(left + right)
    types = [gguf.TokenType.NORMAL] * len(tokens)
    eos = len(tokens)
    tokens += SPECIAL
    types += [gguf.TokenType.CONTROL] * len(SPECIAL)
    n_vocab = len(tokens)

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("hearten-tiny-random")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_dimension_count(N_EMBD // N_HEAD)
    writer.add_rope_freq_base(10000.0)
    writer.add_vocab_size(n_vocab)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges([f"{a} {b}" for a, b in merges])
    writer.add_bos_token_id(eos)
    writer.add_eos_token_id(eos)
    writer.add_add_bos_token(False)
    writer.add_eot_token_id(eos + 2)  # <|im_end|> ends a turn
    writer.add_chat_template(CHAT_TEMPLATE)

    def weight(*shape: int, scale: float = 0.5) -> np.ndarray:
        fan_in = shape[-1]
        return (rng.standard_normal(shape) * scale / np.sqrt(fan_in)).astype(np.float32)

    # numpy shapes are (rows, columns) = ggml's (ne[1], ne[0]): (out, in)
    writer.add_tensor("token_embd.weight", weight(n_vocab, N_EMBD, scale=8.0))
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    writer.add_tensor("output.weight", weight(n_vocab, N_EMBD, scale=8.0))
    for i in range(N_LAYER):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"blk.{i}.{name}.weight", weight(N_EMBD, N_EMBD))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", weight(N_FF, N_EMBD))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", weight(N_FF, N_EMBD))
        writer.add_tensor(f"blk.{i}.ffn_down.weight", weight(N_EMBD, N_FF))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


if __name__ == "__main__":  # python tests/voices/tiny_gguf.py OUT.gguf
    import sys

    print(write_tiny_llama(Path(sys.argv[1])))
