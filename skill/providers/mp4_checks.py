"""The two facts the NIM's streaming mode depends on, read without decoding anything.

Durations and sizes come from ``skill.media.probe``; this adds what only the NIM cares about:
whether an MP4 is "faststart" (``moov`` before ``mdat``) and whether its frame rate is constant.
"""

from __future__ import annotations

import itertools
from pathlib import Path

# How many video packets the frame-rate check reads: enough to see a variable rate, cheap to demux.
CFR_SAMPLE_PACKETS = 240


def is_constant_frame_rate(path: str | Path) -> bool:
    """True when the first packets' presentation times are evenly spaced (to one tick)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stamps = []
        for packet in container.demux(stream):
            if packet.pts is not None:
                stamps.append(packet.pts)
            if len(stamps) >= CFR_SAMPLE_PACKETS:
                break
    stamps.sort()  # decode order differs from presentation order when B-frames are present
    steps = {b - a for a, b in itertools.pairwise(stamps)}
    return len(steps) <= 1 or max(steps) - min(steps) <= 1


def is_faststart(path: str | Path) -> bool:
    """True when the MP4 ``moov`` box precedes ``mdat``: the NIM can then stream it."""
    with open(path, "rb") as handle:
        while True:
            header = handle.read(8)
            if len(header) < 8:
                return False
            size = int.from_bytes(header[:4], "big")
            kind = header[4:8]
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            header_size = 8
            if size == 1:  # 64-bit size follows the type
                size, header_size = int.from_bytes(handle.read(8), "big"), 16
            if size < header_size:  # 0 ("to the end of the file") or corrupt: a smaller size would step back
                return False
            handle.seek(size - header_size, 1)
