"""Generated protobuf/gRPC code for the NVIDIA LipSync NIM (see lipsync.proto; regenerate.py rebuilds it)."""
