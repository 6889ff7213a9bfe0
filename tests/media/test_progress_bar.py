"""Upload progress: a bar redrawn in place on a terminal, plain lines in logs and pipes."""

from __future__ import annotations

import io

from skill.console import Console
from skill.nemo.upload import UploadMeter


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _upload(console: Console) -> None:
    meter = UploadMeter(console, total=100, label="clip.mp4")
    for _ in range(100):
        meter.advance(1)
    console.notice("media/warn_long_clip", name="clip.mp4", seconds=130)


def test_terminal_gets_one_bar_redrawn_in_place() -> None:
    err = Terminal()
    _upload(Console("en", stderr=err, stdout=io.StringIO()))
    lines = err.getvalue().split("\n")
    assert lines[0].count("\r") == 20 and "100 %" in lines[0] and "\x1b[K" in lines[0]
    assert lines[1].startswith("Warning: clip.mp4")


def test_pipe_gets_a_line_every_five_percent() -> None:
    err = io.StringIO()
    _upload(Console("en", stderr=err, stdout=io.StringIO()))
    lines = err.getvalue().splitlines()
    assert len(lines) == 21 and "\r" not in err.getvalue()
    assert lines[0].endswith("5 % (5 B / 100 B)") and lines[19].endswith("100 % (100 B / 100 B)")
