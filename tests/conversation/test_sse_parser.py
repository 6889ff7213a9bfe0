"""The SSE parser over every wire shape the backend may send."""

from __future__ import annotations

import json

import pytest

from skill.nemo.sse import EventParser, StreamEvent, activity
from tests.conversation.helpers import parse_stream


def adk(parts: list[dict], *, role: str = "model", snake: bool = False, **extra: object) -> str:
    event = {"content": {"role": role, "parts": parts}, "author": "nemo_agent", "id": "e1", **extra}
    if snake:
        event["invocation_id"] = "e-1"
        event["actions"] = {"state_delta": {}, "artifact_delta": {}}
    else:
        event["invocationId"] = "e-1"
        event["actions"] = {"stateDelta": {}, "artifactDelta": {}}
    return json.dumps(event)


def kinds(data: list[str]) -> list[tuple[str, str]]:
    return [(e.kind, e.text or e.tool or e.error) for e in parse_stream(data)]


def test_adk_text_camel_case() -> None:
    assert kinds([adk([{"text": "Sure, adding a title."}])]) == [("text", "Sure, adding a title.")]


def test_adk_function_call_and_response_both_spellings() -> None:
    call = adk([{"functionCall": {"id": "c1", "name": "generate_video_with_seedance", "args": {"p": 1}}}])
    result = adk([{"function_response": {"id": "c1", "name": "generate_video_with_seedance",
                                         "response": {"url": "https://x"}}}], role="user", snake=True)
    snake_call = adk([{"function_call": {"name": "edit_draft", "args": {}}}], snake=True)
    assert kinds([call, result, snake_call]) == [("tool_call", "generate_video_with_seedance"),
                                                 ("tool_result", "generate_video_with_seedance"),
                                                 ("tool_call", "edit_draft")]


def test_tool_payloads_never_reach_an_event() -> None:
    secret_args = {"token": "nmv_usr_abcdef123456", "draft": {"t": []}}
    events = list(parse_stream([adk([{"functionCall": {"name": "edit_draft", "args": secret_args}}])]))
    assert all("nmv_usr" not in (e.text + e.tool + e.error) for e in events)


def test_thought_parts_are_skipped() -> None:
    data = [adk([{"text": "Let me think about the user...", "thought": True}, {"text": "Done."}])]
    assert kinds(data) == [("text", "Done.")]


def test_partials_then_accumulated_text_show_once() -> None:
    data = [adk([{"text": "Adding "}], partial=True), adk([{"text": "the title."}], partial=True),
            adk([{"text": "Adding the title."}])]
    events = list(parse_stream(data))
    assert [e.kind for e in events] == ["partial", "partial", "text"]
    assert [e.text for e in events if e.kind == "text"] == ["Adding the title."]


def test_partials_without_final_event_are_flushed_at_close() -> None:
    data = [adk([{"text": "Adding "}], partial=True), adk([{"text": "the title."}], partial=True)]
    assert [(k, t) for k, t in kinds(data) if k == "text"] == [("text", "Adding the title.")]


def test_user_role_text_is_not_shown() -> None:
    assert kinds([adk([{"text": "sync my voiceover"}], role="user")]) == [("other", "")]


@pytest.mark.parametrize("data", ["", "   ", '{"type":"heartbeat"}'])
def test_keepalives(data: str) -> None:
    assert kinds([data]) == [("heartbeat", "")]


def test_legacy_shapes() -> None:
    data = ['{"type":"text","content":"Hello"}', '{"type":"tool_call","name":"understand_video","args":{}}',
            '{"type":"tool_result","name":"understand_video","result":{"x":1}}', '{"type":"done"}']
    assert kinds(data) == [("text", "Hello"), ("tool_call", "understand_video"),
                           ("tool_result", "understand_video"), ("other", "")]


@pytest.mark.parametrize("data, message", [
    ('{"error": "Session not found"}', "Session not found"),
    ('{"error": {"message": "quota"}}', "quota"),
    ('{"errorCode": "RESOURCE_EXHAUSTED", "errorMessage": "model overloaded"}', "model overloaded"),
    ('{"error_code": "MALFORMED_FUNCTION_CALL"}', "MALFORMED_FUNCTION_CALL"),
    ('{"type": "error", "message": "boom"}', "boom"),
])
def test_errors(data: str, message: str) -> None:
    assert kinds([data]) == [("error", message)]


@pytest.mark.parametrize("data", ["[DONE]", "not json", "42", "[1,2]", '{"content": "x"}',
                                  '{"content": {"parts": [null, 3, {"inlineData": {"data": "AAAA"}}]}}'])
def test_noise_is_ignored(data: str) -> None:
    assert all(e.kind == "other" for e in parse_stream([data]))


def test_parser_keeps_no_history() -> None:
    parser = EventParser()
    for _ in range(1000):
        parser.feed(adk([{"text": "chunk"}]))
    assert parser.finish() == []


def test_activity_labels() -> None:
    assert activity("generate_video_with_seedance") == "generating_video"
    assert activity("suno_generate_music") == "generating_music"
    assert activity("multitrack_edit") == "editing"
    assert activity("understand_video") == "watching"
    assert activity("mystery_tool") == "working"


def test_stream_event_is_small_and_immutable() -> None:
    event = StreamEvent("text", text="hi")
    with pytest.raises(AttributeError):
        event.text = "changed"  # type: ignore[misc]
