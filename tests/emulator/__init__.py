"""An emulated NemoVideo backend for tests and demos (see docs/architecture.md, "Backend emulator contract")."""

from tests.emulator.server import Emulator
from tests.emulator.state import Call, EmulatorState

__all__ = ["Call", "Emulator", "EmulatorState"]
