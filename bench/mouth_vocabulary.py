"""Regenerate ``skill/local/mouthcues/models/en-us-5k.dict``: the 5,000 words the wheel's English
LM (en-us.lm.bin) finds most likely, with every pronunciation the wheel's CMU dictionary gives them.

Recognition without text decodes words with this dictionary and the full LM (words outside it
are simply never hypothesised): the search tree is 26× smaller than with the 130k dictionary, so
it costs a fraction of the CPU, and a word it does not know comes out as a similar-sounding one,
whose phones are what the mouth needs. ``python -m bench.mouth_vocabulary [--size 5000]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "skill" / "local" / "mouthcues" / "models" / "en-us-5k.dict"


def build(size: int) -> list[str]:
    from pocketsphinx import NGramModel, get_model_path

    model = NGramModel.readfile(get_model_path("en-us/en-us.lm.bin"))
    entries: dict[str, list[str]] = {}
    for line in Path(get_model_path("en-us/cmudict-en-us.dict")).read_text().splitlines():
        word = line.split(maxsplit=1)[0]
        entries.setdefault(word.split("(")[0], []).append(line)
    ranked = sorted(entries, key=lambda w: (-model.prob([w]), w))
    return [line for word in ranked[:size] for line in entries[word]]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mouth_vocabulary")
    parser.add_argument("--size", type=int, default=5000)
    args = parser.parse_args()
    TARGET.write_text("\n".join(build(args.size)) + "\n")
    print(TARGET)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
