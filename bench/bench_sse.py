"""SSE ingest: events per second through ``skill.nemo.sse`` and its memory over long streams.

The synthetic stream mixes what a long NemoVideo turn sends: ADK text events (camelCase and
snake_case), tool calls and results with payloads, streaming partials, heartbeats and empty keep-
alives. It is produced lazily, so the only memory that can grow is the parser's own.
Anchors, measured in the same run: bare ``json.loads`` over the same strings (the floor any
JSON-speaking parser pays), and a consumer that keeps every event (what "accumulate" would cost).
"""

from __future__ import annotations

import gc
import itertools
import json
import time
import tracemalloc
from collections.abc import Iterator

from bench.common import Row
from tests.conversation.helpers import parse_stream

GOAL_EVENTS_PER_SECOND = 50_000
EVENTS_PER_MINUTE = 60_000  # a synthetic 1 000 events/s: far denser than any real turn
FLAT_FACTOR = 1.5  # a 15× longer stream may use at most 1.5× the peak memory


def _samples() -> list[str]:
    def adk(parts: list[dict], role: str = "model", **extra: object) -> str:
        return json.dumps({"content": {"parts": parts, "role": role}, "invocationId": "e-bench", "author": "nemo_agent",
                           "actions": {"stateDelta": {}, "artifactDelta": {}, "requestedAuthConfigs": {}},
                           "id": "evt-bench", "timestamp": 1763730000.0, **extra})

    payload = {"draft": {"t": [{"tt": 0, "sg": [{"st": 0, "d": 10000}]}]}, "prompt": "lip sync " * 20}
    return [
        adk([{"text": "Syncing the Spanish voiceover to your clip now."}]),
        adk([{"functionCall": {"id": "c1", "name": "generate_video_with_seedance", "args": payload}}]),
        "",
        '{"type":"heartbeat"}',
        adk([{"functionResponse": {"id": "c1", "name": "generate_video_with_seedance", "response": payload}}],
            role="user"),
        adk([{"text": "Adding "}], partial=True),
        adk([{"text": "captions."}], partial=True),
        adk([{"text": "Adding captions."}]),
        json.dumps({"content": {"parts": [{"text": "Done."}], "role": "model"}, "invocation_id": "e-bench",
                    "actions": {"state_delta": {}}}),
        '{"type":"text","content":"Legacy text event."}',
    ]


def _stream(events: int) -> Iterator[str]:
    return itertools.islice(itertools.cycle(_samples()), events)


def _rate(consume, events: int) -> float:  # type: ignore[no-untyped-def]
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        consume(_stream(events))
        best = max(best, events / (time.perf_counter() - started))
    return best


def _drain(data: Iterator[str]) -> None:
    for _ in parse_stream(data):
        pass


def _json_only(data: Iterator[str]) -> None:
    for item in data:
        if item:
            json.loads(item)


def _peak_kib(consume, events: int) -> float:  # type: ignore[no-untyped-def]
    gc.collect()
    tracemalloc.start()
    try:
        consume(_stream(events))
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def run(quick: bool) -> list[Row]:
    minute = EVENTS_PER_MINUTE // (10 if quick else 1)
    ours = _rate(_drain, minute)
    floor = _rate(_json_only, minute)
    short_peak = _peak_kib(_drain, minute)
    long_peak = _peak_kib(_drain, minute * 15)
    hoard_peak = _peak_kib(lambda data: list(parse_stream(data)), minute)
    flatness = long_peak / short_peak
    return [
        Row("sse parser throughput", f"{ours:,.0f} events/s", f"json.loads only {floor:,.0f}/s", ours / floor,
            f"≥ {GOAL_EVENTS_PER_SECOND:,} events/s", ours >= GOAL_EVENTS_PER_SECOND,
            f"{minute:,} mixed ADK/legacy events; ratio = share of the json.loads floor"),
        Row("sse parser memory 15 min vs 1 min", f"peak {short_peak:,.0f} → {long_peak:,.0f} KiB",
            f"keeping events: {hoard_peak:,.0f} KiB for 1 min", hoard_peak / long_peak,
            f"15-min peak ≤ {FLAT_FACTOR}× 1-min peak", flatness <= FLAT_FACTOR,
            f"tracemalloc; {minute:,} vs {minute * 15:,} events; ratio = hoarding ÷ ours"),
    ]
