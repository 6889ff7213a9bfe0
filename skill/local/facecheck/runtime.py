"""The two bundled MediaPipe models, run with LiteRT (the optional ``[face]`` extra).

LiteRT prints "INFO: Created TensorFlow Lite XNNPACK delegate" (and absl lines) straight on file
descriptor 2 from C++, where no Python logging setting reaches it: the interpreters are created
and first invoked with fd 2 pointed at /dev/null, so that noise never reaches the person.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from skill.errors import MediaError

MODELS = Path(__file__).resolve().parent / "models"
DETECTOR = MODELS / "face_detection_short_range.tflite"
LANDMARKER = MODELS / "face_landmark.tflite"
_QUIET = threading.Lock()


def available() -> bool:
    """True when the ``[face]`` extra (LiteRT) is installed; imports nothing heavy."""
    import importlib.util

    return importlib.util.find_spec("ai_edge_litert") is not None


def require() -> None:
    """Raise the "install the extra" error before any decoding or model work."""
    if not available():
        raise MediaError("errors/face_extra_missing")


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """fd 2 to /dev/null for the duration (the C++ runtime writes there directly)."""
    with _QUIET:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no real fd 2 (embedded): nothing to silence
            yield
            return
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(null)


class Model:
    """One interpreter with a single float input; ``run`` returns its outputs in the model's order."""

    def __init__(self, path: Path) -> None:
        for name in ("TF_CPP_MIN_LOG_LEVEL", "GLOG_minloglevel"):
            os.environ.setdefault(name, "3")
        from ai_edge_litert.interpreter import Interpreter

        with quiet_stderr():
            self._interpreter: Any = Interpreter(model_path=str(path), num_threads=1)
            self._interpreter.allocate_tensors()
            detail = self._interpreter.get_input_details()[0]
            self._input = detail["index"]
            self.shape = tuple(int(v) for v in detail["shape"])
            self._outputs = [d["index"] for d in self._interpreter.get_output_details()]
            self._interpreter.set_tensor(self._input, np.zeros(self.shape, np.float32))
            self._interpreter.invoke()  # the delegate logs on first use too

    def run(self, batch: np.ndarray) -> list[np.ndarray]:
        self._interpreter.set_tensor(self._input, batch.reshape(self.shape).astype(np.float32, copy=False))
        self._interpreter.invoke()
        return [self._interpreter.get_tensor(i) for i in self._outputs]


@cache
def detector() -> Model:
    require()
    return Model(DETECTOR)


@cache
def landmarker() -> Model:
    require()
    return Model(LANDMARKER)
