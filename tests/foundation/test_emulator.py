"""The NemoVideo emulator itself, driven with plain httpx over real loopback HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.emulator import Emulator
from tests.emulator.media import tiny_mp4

# Real media or real HTTP per case, seconds in all: part of the full run, not the everyday one.
pytestmark = pytest.mark.slow

SKILL_HEADERS = {"X-Skill-Source": "lip-sync-video", "X-Skill-Version": "0.1.0", "X-Skill-Platform": "unknown"}


@pytest.fixture
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    """A client with the attribution headers and an anonymous token."""
    with httpx.Client(base_url=emulator.url, headers=SKILL_HEADERS, timeout=5) as client:
        body = client.post("/api/auth/anonymous-token", headers={"X-Client-Id": "client-1"}).json()
        client.headers["Authorization"] = f"Bearer {body['data']['token']}"
        yield client


@pytest.fixture
def sid(http: httpx.Client) -> str:
    reply = http.post("/api/tasks/me/with-session/nemo_agent", json={"task_name": "project", "language": "en"})
    return reply.json()["data"]["session_id"]


def sse_body(sid: str, text: str = "hi") -> dict:
    return {"app_name": "nemo_agent", "user_id": "me", "session_id": sid, "new_message": {"parts": [{"text": text}]}}


# -- auth, session, credits, state ------------------------------------------------------------------
def test_anonymous_token_needs_a_client_id(emulator: Emulator) -> None:
    reply = httpx.post(f"{emulator.url}/api/auth/anonymous-token", headers=SKILL_HEADERS)
    assert reply.status_code == 400 and reply.json()["code"] == 400


def test_anonymous_token_shape_and_one_token_per_client(emulator: Emulator) -> None:
    def ask() -> dict:
        return httpx.post(f"{emulator.url}/api/auth/anonymous-token",
                          headers={**SKILL_HEADERS, "X-Client-Id": "c-1"}).json()

    first, again = ask(), ask()
    assert first["code"] == 0
    data = first["data"]
    assert data["token"].startswith("nmv_usr_") and data["credits"] == 100
    assert data["user_id"].startswith("anon_") and data["expires_at"].endswith("Z")
    assert again["data"]["token"] == data["token"]
    assert not emulator.state.tokens[data["token"]].registered


@pytest.mark.slow
def test_every_authenticated_route_rejects_a_missing_or_unknown_token(emulator: Emulator) -> None:
    sid = emulator.state.create_session("en").session_id
    requests = [("POST", "/api/auth/claim-token", {"task_id": "t", "session_id": sid}),
                ("POST", "/api/tasks/me/with-session/nemo_agent", {"task_name": "project"}),
                ("GET", "/api/credits/balance/simple", None),
                ("GET", f"/api/state/nemo_agent/me/{sid}/latest", None),
                ("POST", f"/api/upload-video/nemo_agent/me/{sid}", {"urls": ["https://x.test/a.mp4"]}),
                ("POST", "/api/render/proxy/lambda", {"id": "render_1", "sessionId": sid}),
                ("GET", "/api/render/proxy/lambda/render_1", None),
                ("GET", "/api/render/proxy/render_1/download", None),
                ("POST", "/run_sse", sse_body(sid))]
    for auth in ({}, {"Authorization": "Bearer nmv_usr_unknown"}, {"Authorization": "Basic abc"}):
        for method, path, body in requests:
            reply = httpx.request(method, emulator.url + path, json=body, headers={**SKILL_HEADERS, **auth})
            assert (reply.status_code, reply.json()["code"]) == (200, 1001), path


def test_missing_attribution_is_recorded_and_blocks_export(emulator: Emulator) -> None:
    token = emulator.state.add_token(registered=True)
    sid = emulator.state.create_session("en").session_id
    bare = {"Authorization": f"Bearer {token}", "X-Skill-Source": "lip-sync-video"}
    assert httpx.get(f"{emulator.url}/api/credits/balance/simple", headers=bare).json()["code"] == 0
    submit = httpx.post(f"{emulator.url}/api/render/proxy/lambda", headers=bare,
                        json={"id": "render_1", "sessionId": sid, "draft": {}, "output": {"format": "mp4"}})
    assert submit.status_code == 402 and submit.json()["code"] == 402
    assert [c.missing_headers for c in emulator.calls()] == [["x-skill-version", "x-skill-platform"]] * 2
    assert emulator.state.render_submits == {}


def test_registered_token_session_language_and_state(emulator: Emulator) -> None:
    token = emulator.state.add_token("nmv_usr_registered_test", registered=True)
    headers = {**SKILL_HEADERS, "Authorization": f"Bearer {token}"}
    created = httpx.post(f"{emulator.url}/api/tasks/me/with-session/nemo_agent", headers=headers,
                         json={"task_name": "project", "language": "zh-CN"}).json()["data"]
    assert created["session_id"].isdigit() and len(created["session_id"]) == 19 and created["task_id"]
    assert emulator.state.sessions[created["session_id"]].language == "zh-CN"
    data = httpx.get(f"{emulator.url}/api/state/nemo_agent/me/{created['session_id']}/latest",
                     headers=headers).json()["data"]
    assert (data["session_id"], data["task_id"], data["task_name"]) == (created["session_id"], created["task_id"],
                                                                        "project")
    tracks = data["state"]["draft"]["t"]
    assert [t["tt"] for t in tracks] == [0, 1, 7]
    assert tracks[2]["sg"][0]["m"]["text"] == "Urban Dreams" and tracks[1]["m"]["volume"] == 0.35
    assert data["state"]["video_infos"][0]["filename"] == "city_timelapse.mp4"
    assert data["state"]["generated_media"]


def test_default_state_reads_like_the_spec_example(emulator: Emulator) -> None:
    from skill.nemo.timeline import summarize

    draft = emulator.state.create_session("en").state["draft"]
    assert summarize(draft, "en") == ('Timeline (3 tracks): 1. Video: city timelapse (0-10s) '
                                      '2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)')


def test_unknown_session_and_empty_fixture(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    assert http.get("/api/state/nemo_agent/me/123/latest").json()["code"] == 1002
    emulator.state.use_fixture("empty")
    assert http.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]["draft"]["t"] == []
    emulator.state.forget_sessions()
    assert http.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["code"] == 1002


def test_credits_and_claim_token(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    emulator.state.credits = {"available": 0, "frozen": 5, "total": 5}
    assert http.get("/api/credits/balance/simple").json() == {
        "code": 0, "message": "success", "data": {"available": 0, "frozen": 5, "total": 5}}
    claim = http.post("/api/auth/claim-token", json={"task_id": "t", "session_id": sid}).json()["data"]
    assert claim["claim_token"].startswith("clm_") and claim["expires_in"] == 604800
    assert http.post("/api/auth/claim-token", json={"task_id": "t", "session_id": "nope"}).json()["code"] == 1002


def test_calls_log_route_method_path_headers_and_json(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    http.get(f"/api/state/nemo_agent/me/{sid}/latest")
    [session_call] = emulator.calls("session")
    assert session_call.json == {"task_name": "project", "language": "en"}
    assert session_call.method == "POST" and session_call.path == "/api/tasks/me/with-session/nemo_agent"
    assert [c.route for c in emulator.calls()] == ["anonymous-token", "session", "state"]
    assert all(c.headers["x-skill-source"] == "lip-sync-video" and not c.missing_headers for c in emulator.calls())


# -- faults -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("fault", "status", "code"), [
    ("code:2001", 200, 2001), ("code:1002", 200, 1002), ("code:402", 402, 402), ("code:429", 429, 429),
    ("code:400", 400, 400), ("http:503", 503, 503), ("http:500", 500, 500),
])
@pytest.mark.slow
def test_code_and_http_faults(http: httpx.Client, emulator: Emulator, fault: str, status: int, code: int) -> None:
    emulator.inject("credits", fault)
    reply = http.get("/api/credits/balance/simple")
    assert (reply.status_code, reply.json()["code"]) == (status, code)
    assert http.get("/api/credits/balance/simple").json()["code"] == 0  # consumed


def test_html_fault_is_an_nginx_page(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject("credits", "html:502")
    reply = http.get("/api/credits/balance/simple")
    assert reply.status_code == 502 and reply.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in reply.text


def test_faults_are_consumed_in_order_with_times_and_wildcard(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject("credits", "code:429", times=2)
    emulator.inject("*", "http:503")
    codes = [http.get("/api/credits/balance/simple").status_code for _ in range(4)]
    assert codes == [429, 429, 503, 200]
    emulator.inject("*", "code:1002")
    assert http.post("/api/tasks/me/with-session/nemo_agent", json={}).json()["code"] == 1002


def test_slow_fault_delays_then_answers(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject("credits", "slow:1")
    with pytest.raises(httpx.ReadTimeout):
        http.get("/api/credits/balance/simple", timeout=0.2)
    emulator.inject("credits", "slow:0.05")
    assert http.get("/api/credits/balance/simple").json()["code"] == 0


def test_reset_drops_the_connection(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject("credits", "reset")
    with pytest.raises(httpx.TransportError):
        http.get("/api/credits/balance/simple")
    assert http.get("/api/credits/balance/simple").json()["code"] == 0


def test_truncated_json_body(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject("state", "truncated")
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/api/state/nemo_agent/me/1/latest")


def test_expire_token_until_reauth_gives_a_new_one(http: httpx.Client, emulator: Emulator) -> None:
    old = http.headers["Authorization"]
    emulator.inject("credits", "expire-token")
    assert http.get("/api/credits/balance/simple").json()["code"] == 1001
    assert http.get("/api/credits/balance/simple").json()["code"] == 1001
    fresh = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "client-1"}).json()["data"]["token"]
    assert f"Bearer {fresh}" != old
    assert http.get("/api/credits/balance/simple", headers={"Authorization": f"Bearer {fresh}"}).json()["code"] == 0


@pytest.mark.parametrize(("route", "fault"), [("nope", "code:1"), ("credits", "boom"), ("credits", "code")])
def test_inject_rejects_unknown_routes_and_faults(emulator: Emulator, route: str, fault: str) -> None:
    with pytest.raises(ValueError):
        emulator.inject(route, fault)


# -- upload -----------------------------------------------------------------------------------------
def test_multipart_upload_is_probed_streamed_and_applied(http: httpx.Client, emulator: Emulator, sid: str,
                                                         tmp_path: Path) -> None:
    clip = tmp_path / "Clip.MP4"
    clip.write_bytes(tiny_mp4())
    voice = tmp_path / "voice.wav"
    voice.write_bytes(os.urandom(300_000))  # not decodable: probed fields become nulls
    with clip.open("rb") as a, voice.open("rb") as b:
        reply = http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=[("files", a), ("files", b)]).json()
    assert reply["code"] == 0 and reply["data"]["session_state_applied"] is True
    video, audio = reply["data"]["files"]
    assert video["filename"] == "Clip.MP4" and video["file_type"] == "video"
    assert (video["duration"], video["width"], video["height"], video["fps"]) == (1.0, 64, 64, 10.0)
    assert audio["file_type"] == "audio" and audio["duration"] is None and len(audio["hash"]) == 64
    assert httpx.get(video["cdn_url"]).content == tiny_mp4()
    [upload] = emulator.state.uploads
    assert upload.file_bytes == {"Clip.MP4": len(tiny_mp4()), "voice.wav": 300_000}
    assert upload.bytes_received > 300_000 and upload.chunks > 1
    infos = emulator.state.sessions[sid].state["video_infos"]
    assert [i["filename"] for i in infos] == ["city_timelapse.mp4", "Clip.MP4", "voice.wav"]
    emulator.reset()
    assert httpx.get(video["cdn_url"]).status_code == 404


def test_upload_refuses_unsupported_and_oversized_files(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    path = f"/api/upload-video/nemo_agent/me/{sid}"
    reply = http.post(path, files={"files": ("notes.txt", b"hello")}).json()
    assert reply["code"] == 4001 and "notes.txt" in reply["message"]
    assert http.post(path, files={"file": ("clip.mp4", b"x")}).json()["code"] == 4001  # wrong field name
    emulator.state.max_upload_bytes = 1000
    reply = http.post(path, files={"files": ("big.mp4", b"x" * 5000)}).json()
    assert reply["code"] == 4002
    assert [u.result_code for u in emulator.state.uploads] == [4001, 4001, 4002]
    assert emulator.state.uploads[2].bytes_received > 5000  # drained, so the client saw a clean reply
    assert len(emulator.state.sessions[sid].state["video_infos"]) == 1
    assert http.post("/api/upload-video/nemo_agent/me/999", json={"urls": ["https://x.test/a.mp4"]}
                     ).json()["code"] == 1002


def test_url_upload(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    path = f"/api/upload-video/nemo_agent/me/{sid}"
    reply = http.post(path, json={"urls": ["https://cdn.test/media/dub%20es.mp3?sig=1"], "source_type": "url"})
    [entry] = reply.json()["data"]["files"]
    assert entry["filename"] == "dub es.mp3" and entry["file_type"] == "audio"
    assert entry["cdn_url"] == "https://cdn.test/media/dub%20es.mp3?sig=1"
    assert http.post(path, json={"urls": ["https://cdn.test/a.exe"]}).json()["code"] == 4001
    assert emulator.state.uploads[0].source == "url"


# -- render -----------------------------------------------------------------------------------------
def submit(http: httpx.Client, sid: str, render_id: str = "render_1") -> httpx.Response:
    return http.post("/api/render/proxy/lambda", json={"id": render_id, "sessionId": sid, "draft": {"t": []},
                                                       "output": {"format": "mp4", "quality": "high"}})


def test_render_top_level_shape(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    emulator.state.render_output = b"\x00\x00\x00\x18ftypmp42fake"
    assert submit(http, sid).json() == {"taskId": "render_1", "status": "pending", "progress": 5}
    polls = [http.get("/api/render/proxy/lambda/render_1").json() for _ in range(3)]
    assert [p["status"] for p in polls] == ["processing", "completed", "completed"]
    output = polls[1]["output"]
    assert output["size"] == len(emulator.state.render_output)
    assert httpx.get(output["url"]).content == emulator.state.render_output
    assert http.get("/api/render/proxy/render_1/download").content == emulator.state.render_output
    assert emulator.state.render_submits == {"render_1": 1}


def test_render_data_shape_default_output_and_failure(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    emulator.state.render_shape = "data"
    emulator.state.render_polls = 1
    pending = submit(http, sid).json()
    assert pending["success"] is True
    assert {k: pending["data"][k] for k in ("id", "status", "progress")} == {
        "id": "render_1", "status": "pending", "progress": 5}
    done = http.get("/api/render/proxy/lambda/render_1").json()["data"]
    assert done["status"] == "completed" and done["progress"] == 100 and done["completedAt"]
    assert httpx.get(done["outputUrl"]).content == tiny_mp4()
    emulator.state.render_fail = True
    submit(http, sid, "render_2")
    assert http.get("/api/render/proxy/lambda/render_2").json()["data"]["status"] == "failed"
    assert http.get("/api/render/proxy/render_2/download").status_code == 404
    assert http.get("/api/render/proxy/lambda/render_404").status_code == 404


def test_render_checks_session_and_anonymous_plan(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    assert submit(http, "nope").json()["code"] == 1002
    emulator.state.block_anonymous_export = True
    assert submit(http, sid).status_code == 402
    assert emulator.state.render_submits == {}


def test_truncated_download(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    submit(http, sid)
    emulator.inject("file", "truncated")
    url = f"{emulator.url}/files/render_1.mp4"
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(url)
    assert httpx.get(url).content == tiny_mp4()


# -- /run_sse ---------------------------------------------------------------------------------------
def stream_lines(http: httpx.Client, sid: str, text: str = "hi") -> list[str]:
    with http.stream("POST", "/run_sse", json=sse_body(sid, text), headers={"Accept": "text/event-stream"}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        return list(r.iter_lines())


def test_default_turn_is_one_adk_text_event(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    import json

    [data] = [line for line in stream_lines(http, sid) if line.startswith("data: ")]
    event = json.loads(data[6:])
    assert event["author"] == "nemo_agent" and event["content"]["role"] == "model"
    assert event["content"]["parts"][0]["text"] and "invocationId" in event


def test_scripts_play_verbatim_in_order(http: httpx.Client, emulator: Emulator, sid: str, tmp_path: Path) -> None:
    emulator.play("emulator_basic", 'data: {"raw": true}\n\n')
    first = stream_lines(http, sid, "sync it")
    script = (Path(__file__).resolve().parents[2] / "fixtures/sse/emulator_basic.sse").read_text(encoding="utf-8")
    assert first == script.splitlines()
    assert ": heartbeat" in first
    assert stream_lines(http, sid, "again") == ['data: {"raw": true}', ""]
    assert emulator.state.messages[sid] == ["sync it", "again"]


def test_apply_then_drop(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    emulator.play("emulator_apply_drop")
    received: list[str] = []
    with pytest.raises(httpx.TransportError), \
            http.stream("POST", "/run_sse", json=sse_body(sid)) as response:
        received.extend(response.iter_lines())
    assert any("functionCall" in line for line in received)
    assert not any("never sent" in line for line in received)
    assert emulator.state.sessions[sid].state["draft"]["t"] == []


def test_run_sse_unknown_session_is_404_before_streaming(http: httpx.Client, emulator: Emulator, sid: str) -> None:
    reply = http.post("/run_sse", json=sse_body("nope"))
    assert reply.status_code == 404 and reply.json() == {"detail": "Session not found"}
    assert emulator.state.messages == {}


def test_every_sse_fixture_is_a_valid_script() -> None:
    from tests.emulator.sse import parse_script
    from tests.emulator.state import SSE_FIXTURES

    scripts = sorted(SSE_FIXTURES.glob("*.sse"))
    assert scripts
    for script in scripts:
        assert parse_script(script.read_text(encoding="utf-8")), script.name


def test_play_rejects_unknown_scripts_and_directives(emulator: Emulator) -> None:
    with pytest.raises(FileNotFoundError):
        emulator.play("no_such_script")
    with pytest.raises(ValueError):
        emulator.play("data: {}\n\n: @explode\n")
    with pytest.raises(FileNotFoundError):
        emulator.play(": @apply no_such_state\n")
    assert emulator.state.sse_queue == []


# -- the shared fixtures ----------------------------------------------------------------------------
def test_isolated_env(isolated_env: Path) -> None:
    assert os.environ["LIP_SYNC_VIDEO_HOME"] == str(isolated_env)
    assert "NEMO_TOKEN" not in os.environ and "FAL_KEY" not in os.environ
    assert os.environ["LIP_SYNC_VIDEO_POLL_SECONDS"] == "0.01"
    assert Path(os.environ["HOME"]).is_dir()


@pytest.mark.slow
def test_cli_fixtures_run_in_process_and_as_subprocess(cli, run_cli) -> None:
    from skill import __version__

    in_process = cli("--version")
    assert in_process.code == 0 and __version__ in in_process.out
    assert cli("no-such-command").code == 2
    child = run_cli("--version", timeout=30)
    assert child.code == 0 and __version__ in child.out
