"""Regenerate lipsync_pb2.py / lipsync_pb2_grpc.py from lipsync.proto (needs grpcio-tools).

Run from anywhere: ``python -m skill.providers.nim_pb.regenerate``. Paths are given relative to
the repository root so the generated imports read ``from skill.providers.nim_pb import …``.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROTO = "skill/providers/nim_pb/lipsync.proto"


def main() -> int:
    from grpc_tools import protoc

    include = str(resources.files("grpc_tools") / "_proto")
    return protoc.main(["protoc", f"-I{ROOT}", f"-I{include}", f"--python_out={ROOT}",
                        f"--grpc_python_out={ROOT}", str(ROOT / PROTO)])


if __name__ == "__main__":
    sys.exit(main())
