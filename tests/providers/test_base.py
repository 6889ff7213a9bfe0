"""The shared job model: the wait loop, poll retries, timeouts, provider choice, saved handles."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.console import RecordingEvents
from skill.errors import ProviderError, UsageError
from skill.providers import pick
from skill.providers.base import JobHandle, JobState, wait


class ScriptedProvider:
    """Returns scripted states (or raises scripted errors) one poll at a time."""

    name = "scripted"

    def __init__(self, *script: JobState | Exception) -> None:
        self.script = list(script)
        self.polls = 0

    def poll(self, handle: JobHandle, logs: bool = False) -> JobState:
        self.polls += 1
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


HANDLE = JobHandle(id="job-1", provider="fal", model="m", mode="dub")


def run(provider: ScriptedProvider, timeout: float = 100.0, logs: bool = False) -> tuple[JobState, list[str]]:
    clock, events = Clock(), RecordingEvents()
    state = wait(provider, HANDLE, events, poll_interval=1.0, timeout=timeout, logs=logs, clock=clock,
                 sleep=clock.sleep)
    return state, events.lines


def test_queued_running_succeeded_with_logs_shown_once() -> None:
    provider = ScriptedProvider(JobState("queued", position=3), JobState("running", logs=["a"]),
                                JobState("running", logs=["a", "b"]), JobState("succeeded", outputs=["u"]))
    state, lines = run(provider, logs=True)
    assert state.outputs == ["u"]
    assert [line for line in lines if "log:" in line] == ["log: a", "log: b"]
    assert any("position 3" in line for line in lines)


def test_transient_poll_failures_are_retried_fatal_ones_are_not() -> None:
    flaky = ScriptedProvider(ProviderError("errors/provider_unreachable", retryable=True, provider="fal",
                                           reason="x"), JobState("succeeded"))
    assert run(flaky)[0].status == "succeeded" and flaky.polls == 2
    fatal = ScriptedProvider(ProviderError("errors/provider_auth", provider="fal", env="FAL_KEY"))
    with pytest.raises(ProviderError):
        run(fatal)
    assert fatal.polls == 1


def test_a_poll_that_keeps_failing_gives_up() -> None:
    down = ScriptedProvider(ProviderError("errors/provider_unreachable", retryable=True, provider="fal", reason="x"))
    with pytest.raises(ProviderError):
        run(down)
    assert down.polls == 6


def test_timeout_names_the_job_and_is_not_retryable() -> None:
    # The job is still running and billed: "retryable" would tell a tool caller to submit it again.
    with pytest.raises(ProviderError) as timed_out:
        run(ScriptedProvider(JobState("running")), timeout=3.0)
    assert not timed_out.value.retryable and "--result job-1" in str(timed_out.value)


def test_handles_round_trip_through_json() -> None:
    handle = JobHandle(id="x", provider="wavespeed", model="m", mode="dub", urls={"result": "http://r"})
    assert JobHandle.from_json(handle.to_json()) == handle


def test_auto_picks_from_the_keys_present() -> None:
    assert pick("auto", "dub", {}) == "nemo"
    assert pick("auto", "dub", {"WAVESPEED_API_KEY": "k"}) == "wavespeed"
    assert pick("auto", "dub", {"NIM_TARGET": "h:1", "FAL_KEY": "k"}) == "fal"
    assert pick("auto", "talk", {"WAVESPEED_API_KEY": "k"}) == "nemo"
    assert pick("auto", "motion", {"FAL_KEY_ID": "i", "FAL_KEY_SECRET": "s"}) == "fal"
    with pytest.raises(UsageError):
        pick("auto", "motion", {})
    with pytest.raises(UsageError):
        pick("wavespeed", "talk", {})



def test_put_signed_never_sends_the_clients_api_key(tmp_path: Path) -> None:
    import httpx

    from skill.providers.http import put_signed

    seen: list[httpx.Request] = []
    client = httpx.Client(transport=httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200)),
                          headers={"Authorization": "Key fal-secret-0123456789"})
    (tmp_path / "a.wav").write_bytes(b"RIFF0000")
    put_signed(client, "fal", "PUT", "https://storage.example/signed?sig=x", tmp_path / "a.wav",
               {"Content-Type": "audio/wav"})
    [request] = seen
    assert "authorization" not in request.headers and request.content == b"RIFF0000"
