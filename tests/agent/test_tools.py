"""Typed tools: valid JSON Schemas in both formats, inputs that round-trip, and ``call`` against the emulator."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import Draft202012Validator

from skill.agent import tools
from tests.agent.helpers import assert_no_token, fresh_app
from tests.local.speechsynth import camera_chain, speech_like, studio_copy, write_video, write_wav
from tests.media import factory

# Real inputs a model would send, one or more per tool, and inputs both validators must refuse.
GOOD: dict[str, list[dict[str, Any]]] = {
    "chat": [{"utterance": "sync my Spanish voiceover to this clip", "attachments": ["clip.mp4", "vo.wav"]},
             {"utterance": "导出"}, {"utterance": "fix the drift", "local": True}],
    "upload": [{"sources": ["clip.mp4"]}, {"sources": ["https://example.com/a.mp4", "/tmp/vo.wav"]}],
    "credits": [{}],
    "state": [{}],
    "setup": [{}, {"new_project": True}],
    "edit": [{"instruction": "lip-sync the clip to the new audio"}, {"instruction": "把开头 2 秒剪掉"}],
    "export": [{}, {"output": "out.mp4", "timing_json": "timing.json"}],
    "align": [{"video": "v.mp4", "audio": "a.wav"},
              {"video": "v.mp4", "audio": "a.wav", "output": "synced.mp4", "check_only": True,
               "timing_json": "t.json"}],
    "mouth_cues": [{"inputs": ["line.wav"]},
                   {"inputs": ["lines/"], "text": "Hello there.", "format": "dat", "fps": 12, "preston_blair": True,
                    "extended_shapes": "", "output": "out/"}],
    "animate": [{"character": "hero.png", "audio": "line.wav"},
                {"character": "walk.mp4", "audio": "line.m4a", "mouths": "mouths/", "mouth_box": [300, 420, 160, 96],
                 "text": "hello there", "fps": 30, "preview": True, "output": "hero.mp4"}],
    "face_check": [{"video": "clip.mp4"}],
    "fit": [{"original": "clip.mp4", "dub": "es.wav"},
            {"original": "clip.mp4", "dub": "es.wav", "output": "fitted.mp4", "max_stretch": 1.4}],
    "batch": [{"manifest": "jobs.csv"}, {"manifest": "jobs.json", "jobs": 8}],
    "talk": [{"image": "face.png", "audio": "hello.wav"},
             {"image": "https://example.com/face.jpg", "audio": "vo.mp3", "provider": "fal",
              "model": "fal-ai/sync-lipsync", "options": {"resolution": "720p"}, "wait": False}],
    "motion": [{"image": "face.png", "video": "dance.mp4", "timeout": 120}],
    "dub": [{"video": "clip.mp4", "audio": "es.wav", "provider": "wavespeed", "output": "dubbed.mp4"}],
    "job": [{"job_id": "req_123"}, {"job_id": "req_123", "action": "result", "output": "out.mp4"}],
}
BAD: dict[str, list[dict[str, Any]]] = {
    "chat": [{}, {"utterance": ""}, {"utterance": "hi", "attachments": "clip.mp4"}],
    "upload": [{}, {"sources": []}, {"sources": [1]}],
    "credits": [{"verbose": True}],
    "state": [{"x": 1}],
    "setup": [{"new_project": "maybe"}],
    "edit": [{}, {"instruction": ""}, {"text": "trim"}],
    "export": [{"output": ""}, {"format": "mov"}],
    "align": [{"video": "v.mp4"}, {"video": "v.mp4", "audio": "a.wav", "check_only": "yes"}],
    "mouth_cues": [{}, {"inputs": []}, {"inputs": ["a.wav"], "fps": 0}, {"inputs": ["a.wav"], "format": "srt"},
                   {"inputs": ["a.wav"], "extended_shapes": "Q"}],
    "animate": [{"character": "hero.png"}, {"character": "h.png", "audio": "a.wav", "mouth_box": [1, 2, 3]},
                {"character": "h.png", "audio": "a.wav", "fps": 0}, {"character": "h.png", "audio": "a.wav",
                                                                     "mouth_box": "1,2,3,4"}],
    "face_check": [{}, {"video": ""}, {"video": "v.mp4", "fps": 25}],
    "fit": [{"original": "clip.mp4"}, {"original": "c.mp4", "dub": "a.wav", "max_stretch": 2.0},
            {"original": "c.mp4", "dub": "a.wav", "max_stretch": 1.0}],
    "batch": [{}, {"manifest": "m.csv", "jobs": 0}, {"manifest": "m.csv", "jobs": 99}],
    "talk": [{"image": "face.png"}, {"image": "f.png", "audio": "a.wav", "provider": "openai"}],
    "motion": [{"image": "face.png", "video": "d.mp4", "timeout": 0}],
    "dub": [{"video": "clip.mp4", "audio": "es.wav", "options": "720p"}],
    "job": [{}, {"job_id": "req_123", "action": "delete"}],
}
TOOL_NAMES = [tool.name for tool in tools.TOOLS]


def test_every_tool_has_real_inputs_to_test() -> None:
    assert sorted(GOOD) == sorted(TOOL_NAMES) == sorted(BAD)


@pytest.mark.parametrize("fmt", ["anthropic", "openai"])
def test_schemas_are_valid_json_schema(fmt: str) -> None:
    for entry in tools.schemas(fmt):
        spec = entry if fmt == "anthropic" else entry["function"]
        schema = spec["input_schema" if fmt == "anthropic" else "parameters"]
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object"
        assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", spec["name"])
        assert len(spec["description"]) > 30
        if fmt == "openai":
            assert entry["type"] == "function"
            assert set(entry) == {"type", "function"}
        else:
            assert set(entry) == {"name", "description", "input_schema"}


@pytest.mark.parametrize("name", TOOL_NAMES)
def test_real_inputs_round_trip(name: str) -> None:
    tool = next(t for t in tools.TOOLS if t.name == name)
    validator = Draft202012Validator(tool.input_schema())
    for good in GOOD[name]:
        validator.validate(good)
        parsed = tool.model.model_validate(good)
        dumped = parsed.model_dump(mode="json")
        validator.validate(dumped)  # what pydantic fills in is still valid for the schema
        assert tool.model.model_validate(dumped) == parsed
    for bad in BAD[name]:
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(bad)
        with pytest.raises(ValueError):
            tool.model.model_validate(bad)


def test_unknown_tool_is_a_readable_usage_error() -> None:
    outcome = tools.invoke("render_everything", {}, fresh_app())
    assert outcome.exit_code == 2
    assert outcome.result["ok"] is False
    assert outcome.result["error"] == "errors/agent_unknown_tool"
    assert "credits" in outcome.result["reply"]


def test_bad_input_lists_each_problem_in_the_persons_language() -> None:
    outcome = tools.invoke("edit", {"instruction": "", "colour": "red"}, fresh_app(), lang="zh")
    assert outcome.exit_code == 2
    assert outcome.result["error"] == "errors/agent_invalid_input"
    fields = {p["field"]: p["type"] for p in outcome.result["problems"]}
    assert fields == {"instruction": "string_too_short", "colour": "extra_forbidden"}
    assert "工具“edit”的输入无效" in outcome.result["reply"]
    assert "Traceback" not in json.dumps(outcome.result)


def test_non_object_input_is_refused() -> None:
    outcome = tools.invoke("credits", ["not", "an", "object"], fresh_app())
    assert (outcome.exit_code, outcome.result["error"]) == (2, "errors/agent_input_not_object")


def test_credits_against_the_emulator(emulator) -> None:
    result = tools.call("credits", {}, fresh_app())
    assert result["ok"] is True
    assert {"available", "frozen", "total", "reply"} <= set(result)
    assert isinstance(result["available"], (int, float))
    assert isinstance(result["progress"], list)
    assert emulator.calls("credits")
    assert_no_token(emulator, result)


def test_state_against_the_emulator(emulator) -> None:
    result = tools.call("state", {}, fresh_app())
    assert result["ok"] is True
    assert result["export_ready"] is True
    assert "Urban Dreams" in result["summary"] or result["track_count"] >= 1
    assert_no_token(emulator, result)


def test_setup_against_the_emulator(emulator) -> None:
    result = tools.call("setup", {}, fresh_app())
    assert result["ok"] is True
    assert result["connected"] is True
    assert "credits" in result
    assert "ct=clm_" in result["project_link"]  # the claim link is for the person: published, not masked
    assert_no_token(emulator, result)


def test_edit_against_the_emulator(emulator) -> None:
    emulator.play("emulator_basic")
    result = tools.call("edit", {"instruction": "sync my Spanish voiceover to this clip"}, fresh_app())
    assert result["ok"] is True
    assert "voiceover" in result["reply"]
    assert emulator.calls("run_sse")
    assert_no_token(emulator, result)


def test_export_against_the_emulator(emulator, tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"
    result = tools.call("export", {"output": str(output)}, fresh_app())
    assert result["ok"] is True, result
    assert output.is_file() and output.stat().st_size > 0
    assert str(output) in result.get("media", [])
    assert result["progress"], "a render reports progress on the way"
    assert_no_token(emulator, result)


def test_upload_against_the_emulator(emulator, tmp_path: Path) -> None:
    clip = factory.video(tmp_path / "clip.mp4", width=320, height=240, seconds=1.0)
    result = tools.call("upload", {"sources": [str(clip)]}, fresh_app())
    assert result["ok"] is True, result
    assert emulator.calls("upload")
    assert "clip.mp4" in json.dumps(result)
    assert_no_token(emulator, result)


def test_upload_of_a_missing_file_is_refused_before_the_network(emulator, tmp_path: Path) -> None:
    outcome = tools.invoke("upload", {"sources": [str(tmp_path / "nope.mp4")]}, fresh_app())
    assert outcome.result["ok"] is False
    assert outcome.exit_code in (1, 2)
    assert "nope.mp4" in outcome.result["reply"]
    assert not emulator.calls("upload")


@pytest.mark.parametrize(("name", "input"), [
    ("talk", {"image": "missing-face.png", "audio": "missing.wav"}),
    ("motion", {"image": "missing-face.png", "video": "missing.mp4"}),
    ("dub", {"video": "missing-clip.mp4", "audio": "missing.wav"}),
])
def test_provider_jobs_reach_their_handler(name: str, input: dict[str, Any]) -> None:
    outcome = tools.invoke(name, input, fresh_app())
    assert (outcome.exit_code, outcome.result["error"]) == (1, "errors/provider_file_missing")
    assert "missing" in outcome.result["reply"]


def test_motion_on_a_provider_without_motion_is_a_usage_error(tmp_path: Path) -> None:
    face = factory.image(tmp_path / "face.png")
    dance = factory.video(tmp_path / "dance.mp4")
    outcome = tools.invoke("motion", {"image": str(face), "video": str(dance), "provider": "nemo"}, fresh_app())
    assert (outcome.exit_code, outcome.result["error"]) == (2, "errors/provider_mode")


def test_job_check_of_an_unknown_id_is_a_clear_error() -> None:
    outcome = tools.invoke("job", {"job_id": "req_unknown"}, fresh_app())
    assert outcome.result["ok"] is False and outcome.exit_code in (1, 2)
    assert outcome.result["error"].startswith("errors/provider")


def test_chat_against_the_emulator(emulator) -> None:
    result = tools.call("chat", {"utterance": "how many credits do I have?"}, fresh_app())
    assert result["ok"] is True and result["intent"] == "credits"
    zh = tools.call("chat", {"utterance": "看看现在的状态"}, fresh_app(lang="en"))
    assert zh["ok"] is True and "时间线" in zh["reply"]  # the person's language, not the app default
    assert_no_token(emulator, [result, zh])


def test_align_check_only_runs_offline(emulator, tmp_path: Path) -> None:
    rate = 16_000
    performance = speech_like(6, rate)
    video = write_video(tmp_path / "talk.mp4", camera_chain(performance, rate), rate=rate)
    audio = write_wav(tmp_path / "dub.wav", studio_copy(performance, rate, 1.0, 0.3), rate)
    result = tools.call("align", {"video": str(video), "audio": str(audio), "check_only": True}, fresh_app())
    assert result["ok"] is True, result
    assert not emulator.calls()  # nothing left the machine
    assert not list(tmp_path.glob("*synced*"))


def test_batch_against_the_emulator(emulator, tmp_path: Path) -> None:
    factory.video(tmp_path / "talk.mp4", width=854, height=480, seconds=1.0)
    factory.audio(tmp_path / "voice_es.wav", seconds=1.0)
    manifest = tmp_path / "batch.yaml"
    manifest.write_text("video: talk.mp4\noutput_dir: out\ntracks:\n  es: voice_es.wav\n", encoding="utf-8")
    result = tools.call("batch", {"manifest": str(manifest), "jobs": 1}, fresh_app())
    assert result["ok"] is True, result
    assert (tmp_path / "out" / "talk.es.mp4").is_file()
    assert result["media"]
    assert_no_token(emulator, result)


def test_a_backend_failure_is_a_structured_error(emulator) -> None:
    emulator.inject("credits", "http:500", times=5)
    outcome = tools.invoke("credits", {}, fresh_app())
    assert outcome.exit_code == 1
    assert outcome.result["ok"] is False
    assert outcome.result["error"].startswith("errors/")
    assert outcome.result["reply"] and "Traceback" not in outcome.result["reply"]
    assert_no_token(emulator, outcome.result)


def test_language_follows_the_persons_words(emulator) -> None:
    emulator.play("emulator_basic")
    result = tools.call("edit", {"instruction": "把开头 2 秒剪掉"}, fresh_app(lang="en"))
    assert result["progress"], "connecting is reported"
    assert all(re.search(r"[\u4e00-\u9fff]", line) for line in result["progress"])


def test_the_batch_tool_names_the_manifest_formats_it_reads() -> None:
    from skill.agent.tools import BY_NAME

    schema = BY_NAME["batch"].input_schema()
    assert "YAML" in BY_NAME["batch"].description and "CSV" in BY_NAME["batch"].description
    assert "JSON" not in BY_NAME["batch"].description  # load_manifest reads YAML or CSV only
    assert "YAML" in schema["properties"]["manifest"]["description"]
