"""Benchmark of HL7 v2 parsing (not a test): `python bench/bench_hl7.py [--quick]`.

Our `medplum_bots.hl7` against the two maintained Python libraries, `hl7` (python-hl7) and
`hl7apy`, and against @medplum/core itself under Node, all in the same run:
(a) parse speed: messages parsed per second (best of 5) for a typical ADT^A01, an ORU^R01
    with 200 OBX segments, and the ten messages of the differential tests;
(b) fidelity to Medplum's semantics over the ten test messages: does it parse, does its text
    form equal Medplum's `toString()`, and how many component reads
    (first segment of each name, fields 1-12, components 1-3, repetitions 0-1) agree with
    `@medplum/core`'s `getComponent`. Each library is read through its own documented
    accessor (`extract_field` for python-hl7, `<seg>_<n>_<c>` elements for hl7apy).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import runpy
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medplum_bots.hl7 import Hl7Message

ROOT = Path(__file__).resolve().parent.parent
# The differential tests' messages (a data module of the package's tests).
_MESSAGES = runpy.run_path(str(ROOT / "packages/medplum-bots/tests/hl7/messages.py"))
MESSAGES: dict[str, str] = _MESSAGES["MESSAGES"]
ADT_A01: str = _MESSAGES["ADT_A01"]
ORU_R01: str = _MESSAGES["ORU_R01"]

BIG_ORU = "\r".join(
    ORU_R01.split("\r")[:4]
    + [f"OBX|{i}|NM|2345-7^Glucose^LN||{90 + i % 10}|mg/dL|70-99|N|||F" for i in range(1, 201)]
)
READS = [(f, c, r) for f in range(1, 13) for c in range(1, 4) for r in range(2)]

NODE = r"""
const core = require('@medplum/core');
const { texts, rounds, reads } = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const speed = texts.map((t) => {
  let best = Infinity;
  const n = Math.max(1, Math.floor(20000 / (t.length / 100 + 1)));
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) core.Hl7Message.parse(t);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9 / n);
  }
  return 1 / best;
});
const answers = reads.map(([text, seg, f, c, rep]) => {
  try {
    const s = core.Hl7Message.parse(text).getSegment(seg);
    return s ? s.getComponent(f, c, undefined, rep) : null;
  } catch (e) { return null; }
});
const text = (t) => {
  try { return core.Hl7Message.parse(t).toString(); } catch (e) { return null; }
};
process.stdout.write(JSON.stringify({ speed, answers, toString: texts.map(text) }));
"""


def ours_parse(text: str) -> Any:
    return Hl7Message.parse(text)


def ours_read(message: Any, seg: str, f: int, c: int, rep: int) -> str | None:
    segment = message.get_segment(seg)
    try:
        return str(segment.get_component(f, c, None, rep)) if segment else None
    except IndexError:
        return None


def ours_text(message: Any) -> str:
    return str(message)


def libraries() -> dict[
    str, tuple[Callable[[str], Any], Callable[..., str | None], Callable[[Any], str]]
]:
    libs: dict[
        str, tuple[Callable[[str], Any], Callable[..., str | None], Callable[[Any], str]]
    ] = {"medplum_bots.hl7": (ours_parse, ours_read, ours_text)}
    try:
        hl7 = importlib.import_module("hl7")

        def hl7_read(message: Any, seg: str, f: int, c: int, rep: int) -> str | None:
            try:
                return str(message.extract_field(seg, 1, f, rep + 1, c))
            except (IndexError, KeyError):
                return None

        libs["hl7 (python-hl7)"] = (hl7.parse, hl7_read, str)
    except ImportError:
        print("python-hl7 not installed: pip install hl7")
    try:
        parser = importlib.import_module("hl7apy.parser")
        consts = importlib.import_module("hl7apy.consts")

        def apy_parse(text: str) -> Any:
            return parser.parse_message(
                text, validation_level=consts.VALIDATION_LEVEL.TOLERANT, find_groups=False
            )

        def apy_read(message: Any, seg: str, f: int, c: int, rep: int) -> str | None:
            try:
                segment = getattr(message, seg.lower())
                reps = segment.children.get(f"{seg}_{f}")
                if rep >= len(reps):
                    return None
                field = reps[rep]
                if not field.children:
                    return str(field.value) if c == 1 else ""
                comps = field.children.get(f"{seg}_{f}_{c}")
                return str(comps[0].value) if comps else ""
            except Exception:
                return None

        libs["hl7apy"] = (apy_parse, apy_read, lambda m: str(m.to_er7()))
    except ImportError:
        print("hl7apy not installed: pip install hl7apy")
    return libs


def rate(parse: Callable[[str], Any], text: str, rounds: int) -> float:
    n = max(1, int(2000 / (len(text) / 100 + 1)))
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            parse(text)
        best = min(best, (time.perf_counter() - start) / n)
    return 1 / best


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--quick", action="store_true")
    rounds = 2 if options.parse_args().quick else 5
    names = ["ADT^A01", "ORU^R01, 200 OBX"]
    texts = [ADT_A01, BIG_ORU]
    reads = [
        (text, seg, f, c, rep)
        for text in MESSAGES.values()
        for seg in dict.fromkeys(s[:3] for s in re.split(r"[\r\n]+", text) if s[:3])
        for f, c, rep in READS
    ]
    node = subprocess.run(
        ["node", "-e", NODE],
        input=json.dumps(
            {"texts": texts + list(MESSAGES.values()), "rounds": rounds, "reads": reads}
        ),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    core = json.loads(node.stdout)
    libs = libraries()

    print(f"(a) parse speed, messages/s (best of {rounds}); ratio to @medplum/core under Node")
    header = f"{'':22}" + "".join(f"{n:>20}" for n in names)
    print(header)
    core_speed = core["speed"][:2]
    print(f"{'@medplum/core (Node)':22}" + "".join(f"{s:>20,.0f}" for s in core_speed))
    for name, (parse, _, _) in libs.items():
        figures = [rate(parse, t, rounds) for t in texts]
        print(
            f"{name:22}"
            + "".join(
                f"{v:>12,.0f} ({v / s:4.2f}x)" for v, s in zip(figures, core_speed, strict=True)
            )
        )

    print("\n(b) fidelity to @medplum/core over the 10 test messages")
    print(f"{'':22}{'parsed':>8}{'same text':>11}{'reads agreeing':>22}")
    expected_text = core["toString"][2:]
    for name, (parse, read, text_of) in libs.items():
        parsed, same_text, agree, total = 0, 0, 0, 0
        cache: dict[str, Any] = {}
        for i, text in enumerate(MESSAGES.values()):
            try:
                cache[text] = parse(text)
                parsed += 1
                same_text += text_of(cache[text]) == expected_text[i]
            except Exception:
                cache[text] = None
        for (text, seg, f, c, rep), answer in zip(reads, core["answers"], strict=True):
            total += 1
            message = cache.get(text)
            mine = read(message, seg, f, c, rep) if message is not None else None
            agree += mine == answer
        print(
            f"{name:22}{parsed:>5}/10{same_text:>8}/10{agree:>12,}/{total:,} ({agree / total:.0%})"
        )


if __name__ == "__main__":
    main()
