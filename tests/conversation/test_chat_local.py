"""``chat`` for the local capabilities and the offline-first sync fix (issue 14), handler by handler.

The mouth-cue, animate, fit and face-check handlers are built on other branches; here they are
stand-ins with the agreed signatures (PROTOCOL), so these tests check the dispatch, not the engines.
"""

from __future__ import annotations

import shlex
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from skill.errors import AlignmentError, UsageError
from skill.handlers.chat import chat
from skill.replies import Reply
from tests.conversation.helpers import make_app

Calls = list[tuple[str, tuple[Any, ...], dict[str, Any]]]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Stand-in handler modules that record how chat called them."""
    seen: Calls = []

    def handler(name: str) -> Any:
        def run(app: Any, *args: Any, **kwargs: Any) -> Reply:
            seen.append((name, args, kwargs))
            return Reply("chat/attach_needed", {}, media=[f"/out/{name}.result"])
        return run

    for name in ("mouth_cues", "animate", "fit", "face_check"):
        module = types.ModuleType(f"skill.handlers.{name}")
        setattr(module, name, handler(name))
        monkeypatch.setitem(sys.modules, f"skill.handlers.{name}", module)
    import skill.handlers.jobs as jobs

    def talk(app: Any, image: str, audio: str, *args: Any, **kwargs: Any) -> Reply:
        seen.append(("talk", (image, audio), kwargs))
        return Reply("chat/attach_needed", {"provider": "fal"}, media=["/out/talk.mp4"])

    monkeypatch.setattr(jobs, "talk", talk)
    return seen


def _run(text: str, attach: list[str], lang: str = "en") -> Reply:
    app = make_app(lang)
    try:
        return chat(app, text, attach)
    finally:
        app.close()


@pytest.mark.parametrize(("text", "attach", "handler", "args"), [
    ("export the viseme timing for Moho", ["line.wav"], "mouth_cues", ([Path("line.wav")],)),
    ("把这段台词做成口型数据", ["台词.wav"], "mouth_cues", ([Path("台词.wav")],)),
    ("make my cartoon say this line", ["toon.png", "l.wav"], "animate", (Path("toon.png"), Path("l.wav"))),
    ("让这个角色说这段话", ["角色.png", "台词.wav"], "animate", (Path("角色.png"), Path("台词.wav"))),
    ("make this photo of me talk", ["me.jpg", "v.wav"], "talk", ("me.jpg", "v.wav")),
    ("my Spanish dub is longer than the video", ["promo.mp4", "es.wav"], "fit", (Path("promo.mp4"), Path("es.wav"))),
    ("按原片的停顿对齐配音", ["orig.mp4", "dub.wav"], "fit", (Path("orig.mp4"), Path("dub.wav"))),
    ("is the lip sync off?", ["result.mp4"], "face_check", (Path("result.mp4"),)),
    ("口型对上了吗", ["output.mp4"], "face_check", (Path("output.mp4"),)),
])
def test_each_local_capability_runs_its_handler(calls: Calls, text: str, attach: list[str], handler: str,
                                                args: tuple[Any, ...]) -> None:
    reply = _run(text, attach)
    assert [(name, a) for name, a, _ in calls] == [(handler, args)]
    assert reply.data["intent"] == ("animate" if handler == "animate" else handler)
    assert reply.data["results"][0]["key"] == "chat/why"  # which path ran, and why, comes first
    assert reply.media == [f"/out/{handler}.result" if handler != "talk" else "/out/talk.mp4"]


def test_mouth_cue_format_words_pick_the_format(calls: Calls) -> None:
    _run("mouth cues for Moho please", ["a.wav"])
    _run("export viseme timing as json, Preston Blair names", ["b.wav"])
    assert [kw.get("fmt") for _, _, kw in calls] == ["dat", "json"]
    assert [kw.get("preston_blair") for _, _, kw in calls] == [False, True]


def test_drawn_character_renders_here_and_offers_the_generative_path(calls: Calls) -> None:
    reply = _run("make my cartoon say this line", ["toon.png", "l.wav"])
    text = reply.text("en")
    assert text.startswith("Rendered on this machine as a drawn character (you said it is a drawn")
    assert "photo of a real person, say so" in text and "OmniHuman" in text


def test_a_real_persons_photo_goes_to_the_generative_path_and_offers_local(calls: Calls) -> None:
    reply = _run("让这张照片里的人说这段话", ["photo.jpg", "speech.wav"], "zh")
    text = reply.text("en")  # pinned to the message's language whatever the caller asks
    assert reply.data["intent"] == "talk" and calls[0][0] == "talk"
    assert text.startswith("已交给生成式的照片说话（fal）") and "改在本机免费做口型动画" in text


def test_a_folder_of_mouth_drawings_means_a_drawn_character(calls: Calls, tmp_path: Path) -> None:
    mouths = tmp_path / "mouths"
    mouths.mkdir()
    reply = _run("make this picture talk", ["pic.png", "v.wav", str(mouths)])
    assert calls[0][0] == "animate" and calls[0][2]["mouths"] == mouths
    assert "you gave a folder of mouth drawings" in reply.text("en")


@pytest.mark.parametrize(("text", "attach", "said"), [
    ("give me the mouth shapes for this dialogue", [], "Attach the dialogue"),
    ("make my character say this", ["fox.png"], "Attach the character"),
    ("配音比原片长", ["dub.wav"], "请附上原视频和配音"),
    ("will this clip work for lip sync?", ["voice.wav"], "Attach the video to check"),
])
def test_a_missing_file_is_asked_for(calls: Calls, text: str, attach: list[str], said: str) -> None:
    reply = _run(text, attach)
    assert calls == [] and said in reply.text("en")


def test_a_local_capability_refuses_links(calls: Calls) -> None:
    with pytest.raises(UsageError):
        _run("export the viseme timing for Moho", ["https://example.com/line.wav"])
    assert calls == []


# -- the sync fix: offline first ----------------------------------------------------------------

@pytest.fixture
def sync_calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    seen: Calls = []
    import skill.handlers.align
    import skill.handlers.edit
    import skill.handlers.upload

    monkeypatch.setattr(skill.handlers.align, "align",
                        lambda app, v, a: seen.append(("align", (v, a), {})) or Reply("chat/attach_needed"))
    monkeypatch.setattr(skill.handlers.upload, "upload",
                        lambda app, s: seen.append(("upload", tuple(s), {})) or Reply("chat/attach_needed"))
    monkeypatch.setattr(skill.handlers.edit, "run_turn",
                        lambda app, t, **kw: seen.append(("turn", (t,), kw)) or Reply("chat/attach_needed"))
    return seen


@pytest.mark.parametrize("text", ["音画不同步", "the voice is 300 ms late", "the dub drifts behind the lips"])
def test_a_sync_complaint_with_local_files_runs_align_here(sync_calls: Calls, text: str) -> None:
    reply = _run(text, ["clip.mp4", "voice.wav"])
    assert [name for name, _, _ in sync_calls] == ["align"] and reply.data["path"] == "local"


@pytest.mark.parametrize(("text", "attach"), [
    ("the voice is 300 ms late, do it in the cloud", ["clip.mp4", "voice.wav"]),
    ("音画不同步，用云端处理", ["clip.mp4", "voice.wav"]),
    ("the voice is 300 ms late", ["clip.mp4", "https://cdn.example.com/voice.wav"]),
])
def test_the_cloud_is_used_when_asked_or_for_a_link(sync_calls: Calls, text: str, attach: list[str]) -> None:
    reply = _run(text, attach)
    assert [name for name, _, _ in sync_calls] == ["upload", "turn"] and reply.data["path"] == "cloud"


def test_when_align_refuses_fit_and_the_cloud_are_offered_not_run(sync_calls: Calls, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import skill.handlers.align

    def refuse(app: Any, video: Path, audio: Path) -> Reply:
        raise AlignmentError("errors/align_no_match", file=audio.name, matched=12)

    monkeypatch.setattr(skill.handlers.align, "align", refuse)
    video, audio = tmp_path / "my clip.mp4", tmp_path / "西语 配音.wav"
    reply = _run("音画不同步", [str(video), str(audio)])
    assert not reply.ok and reply.data["path"] == "local_refused" and sync_calls == []
    (result,) = reply.data["results"]
    assert shlex.split(result["fit_command"]) == ["lip-sync-video", "fit", str(video), str(audio)]
    assert shlex.split(result["cloud_command"])[-5:] == ["--attach", str(video), "--attach", str(audio), "--cloud"]
    text = reply.text("zh")
    assert "离线同步引擎没有修正" in text and "在本机按原说话人的断句对齐配音" in text and "云端唇形同步" in text


def test_without_different_speech_only_the_cloud_is_offered(sync_calls: Calls, monkeypatch: pytest.MonkeyPatch) -> None:
    import skill.handlers.align

    def refuse(app: Any, video: Path, audio: Path) -> Reply:
        raise AlignmentError("errors/align_no_audio", file=video.name)

    monkeypatch.setattr(skill.handlers.align, "align", refuse)
    reply = _run("the audio is out of sync", ["clip.mp4", "voice.wav"])
    assert reply.data["results"][0]["fit_command"] is None
    assert "fit" not in reply.text("en").split("cloud lip-sync")[0].lower().replace("did not fix", "")


def test_an_error_is_in_the_messages_language(monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app("en")
    with pytest.raises(UsageError) as caught:
        chat(app, "修一下同步", [], local=True)
    assert caught.value.render("en").startswith("要在本机修正同步")
