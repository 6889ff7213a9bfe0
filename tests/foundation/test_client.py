"""NemoClient against the emulator over real HTTP: headers, lifecycle, every error code's recovery."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from skill.app import App
from skill.config import Settings
from skill.console import RecordingEvents
from skill.errors import (
    ApiStatusError,
    AuthExpired,
    BadResponse,
    ConnectionFailed,
    ConnectionLost,
    FileTooLarge,
    MissingClientId,
    NoCredits,
    PlanRequired,
    RateLimited,
    RequestTimeout,
    ServerError,
    UnsupportedFile,
)
from skill.nemo.client import NemoClient
from tests.emulator import Emulator

SKILL_HEADERS = ("x-skill-source", "x-skill-version", "x-skill-platform")
MakeApp = Callable[..., App]


@pytest.fixture
def make_app(emulator: Emulator) -> MakeApp:
    apps: list[App] = []

    def make(lang: str = "en") -> App:
        app = App(Settings.from_env(), RecordingEvents(lang), lang=lang)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def _lines(app: App) -> list[str]:
    return app.events.lines  # type: ignore[attr-defined]


def test_first_use_connects_and_every_request_carries_headers(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app()
    client = app.client
    session = client.ensure_session()
    client.credits()
    client.state()
    link = client.claim_link()
    client.request("POST", "/api/upload-video/nemo_agent/me/{session_id}",
                   json={"urls": ["https://example.com/a.mp4"], "source_type": "url"})
    client.request("POST", "/api/render/proxy/lambda", json={
        "id": "render_1", "sessionId": "{session_id}", "draft": client.state()["draft"],
        "output": {"format": "mp4", "quality": "high"}})
    with client.stream("POST", "/run_sse", json={
            "app_name": "nemo_agent", "user_id": "me", "session_id": "{session_id}",
            "new_message": {"parts": [{"text": "hi"}]}}) as response:
        assert b"data:" in response.read()

    assert _lines(app) == ["Connecting...", "Ready!"]
    calls = emulator.calls()
    assert {c.route for c in calls} >= {"anonymous-token", "session", "credits", "state", "claim-token", "upload",
                                        "render-submit", "run_sse"}
    token = calls[0]
    assert token.route == "anonymous-token" and token.headers["x-client-id"] == client.store.client_id()
    assert "authorization" not in token.headers
    for call in calls:
        assert call.missing_headers == []
        assert call.headers["x-skill-source"] == "lip-sync-video"
        if call.route != "anonymous-token":
            scheme, _, bearer = call.headers["authorization"].partition(" ")
            assert scheme == "Bearer" and bearer not in call.path and bearer not in str(call.query)
    assert emulator.calls("session")[0].json == {"task_name": "project", "language": "en"}
    assert emulator.calls("run_sse")[0].json["session_id"] == session.session_id
    assert link.startswith("https://nemovideo.com/workspace/claim?ct=clm_") and "token=" not in link


def test_chinese_person_gets_a_chinese_session_and_notices(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app("zh")
    app.client.ensure_session()
    assert emulator.calls("session")[0].json["language"] == "zh-CN"
    assert _lines(app) == ["正在连接...", "准备好了！"]


def test_stored_token_and_session_are_reused_without_notices(emulator: Emulator, make_app: MakeApp) -> None:
    first = make_app().client.ensure_session()
    again = make_app()
    assert again.client.ensure_session() == first
    assert _lines(again) == []
    assert len(emulator.calls("anonymous-token")) == 1 and len(emulator.calls("session")) == 1


def test_env_token_wins_and_is_never_stored(emulator: Emulator, make_app: MakeApp,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    token = emulator.state.add_token(registered=True)
    monkeypatch.setenv("NEMO_TOKEN", token)
    app = make_app()
    app.client.credits()
    assert emulator.calls("anonymous-token") == []
    assert emulator.calls("credits")[0].headers["authorization"] == f"Bearer {token}"
    assert token not in "".join(p.read_text() for p in app.store.home.glob("*.json"))


def test_1001_reauthenticates_with_the_same_client_id(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app()
    app.client.ensure_session()
    emulator.inject("credits", "expire-token")
    assert app.client.credits()["available"] == 100
    ids = [c.headers["x-client-id"] for c in emulator.calls("anonymous-token")]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert len(emulator.calls("credits")) == 2


def test_1001_on_a_session_route_reauthenticates_and_sends_the_new_token(emulator: Emulator,
                                                                        make_app: MakeApp) -> None:
    app = make_app()
    app.client.ensure_session()
    emulator.inject("state", "expire-token")
    app.client.state()
    retried = emulator.calls("state")[-1]
    assert len(emulator.calls("state")) == 2 and len(emulator.calls("anonymous-token")) == 2
    assert retried.headers["authorization"].startswith("Bearer ")


def test_clients_sharing_a_store_fetch_one_anonymous_token_between_them(emulator: Emulator) -> None:
    # Batch pairs run one NemoClient each over one store. When none holds a token yet, they must
    # not each make a client id and an anonymous account (the backend allows one per client a week).
    import threading

    from skill.store import Store

    emulator.inject("anonymous-token", "slow:0.3")
    settings = Settings.from_env()
    store = Store.open(settings)
    apps = [App(settings, RecordingEvents()) for _ in range(4)]
    for app in apps:
        app.store = store  # type: ignore[misc]
    threads = [threading.Thread(target=app.client.credits) for app in apps]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        for app in apps:
            app.close()
    calls = emulator.calls("anonymous-token")
    assert len(calls) == 1, [c.headers.get("x-client-id") for c in calls]
    assert len(emulator.calls("credits")) == 4


def test_1001_twice_gives_up_with_a_clear_message(emulator: Emulator, make_app: MakeApp) -> None:
    emulator.inject("credits", "code:1001", times=2)
    with pytest.raises(AuthExpired) as caught:
        make_app().client.credits()
    assert "lip-sync-video setup" in str(caught.value)


def test_rejected_env_token_is_not_swapped_for_an_anonymous_one(emulator: Emulator, make_app: MakeApp,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_TOKEN", "nmv_usr_revoked_0123456789")
    with pytest.raises(AuthExpired) as caught:
        make_app().client.credits()
    assert "NEMO_TOKEN" in str(caught.value)
    assert emulator.calls("anonymous-token") == []


def test_1002_opens_a_new_session_tells_the_person_and_retries(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app()
    old = app.client.ensure_session().session_id
    emulator.state.forget_sessions()
    assert "draft" in app.client.state()
    new = app.client.session_id
    assert new != old
    assert _lines(app)[-3:] == [
        "Your previous editing session had expired, so I started a new one. "
        "Files uploaded before need to be uploaded again.", "Connecting...", "Ready!"]
    assert [c.path.split("/")[-2] for c in emulator.calls("state")] == [old, new]


def test_1002_on_run_sse_before_acceptance_is_recovered(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app()
    old = app.client.ensure_session().session_id
    emulator.state.forget_sessions()  # the stream endpoint answers 404 "Session not found"
    with app.client.stream("POST", "/run_sse", json={"app_name": "nemo_agent", "user_id": "me",
                                                     "session_id": "{session_id}",
                                                     "new_message": {"parts": [{"text": "sync it"}]}}) as response:
        assert response.status_code == 200
    bodies = [c.json["session_id"] for c in emulator.calls("run_sse")]
    assert bodies[0] == old and bodies[1] == app.client.session_id != old


def test_stream_errors_are_mapped_and_never_resent(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app()
    app.client.ensure_session()
    emulator.inject("run_sse", "html:502")
    with pytest.raises(ServerError), app.client.stream("POST", "/run_sse", json={
            "app_name": "nemo_agent", "user_id": "me", "session_id": "{session_id}",
            "new_message": {"parts": [{"text": "x"}]}}):
        pass
    assert len(emulator.calls("run_sse")) == 1


def test_2001_anonymous_gets_a_registration_link_bound_to_the_user(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app()
    app.client.ensure_session()
    emulator.inject("credits", "code:2001")
    with pytest.raises(NoCredits) as caught:
        app.client.credits()
    user_id = app.client.user_id
    assert user_id and f"https://nemovideo.com/register?bind={user_id}" in str(caught.value)
    assert len(emulator.calls("credits")) == 1  # never retried


def test_2001_registered_is_told_to_top_up(emulator: Emulator, make_app: MakeApp,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_TOKEN", emulator.state.add_token(registered=True))
    emulator.inject("credits", "code:2001")
    with pytest.raises(NoCredits) as caught:
        make_app().client.credits()
    assert "Top up credits in your account" in str(caught.value) and "register" not in str(caught.value)


def test_4001_lists_formats_and_4002_suggests_compress_or_trim(emulator: Emulator, make_app: MakeApp) -> None:
    client = make_app().client
    emulator.inject("upload", "code:4001")
    with pytest.raises(UnsupportedFile) as unsupported:
        client.request("POST", "/api/upload-video/nemo_agent/me/{session_id}", json={"urls": ["u"]})
    assert "mp4, mov, avi, webm, mkv" in str(unsupported.value)
    emulator.inject("upload", "code:4002")
    with pytest.raises(FileTooLarge) as too_large:
        client.request("POST", "/api/upload-video/nemo_agent/me/{session_id}", json={"urls": ["u"]})
    assert "Compress" in str(too_large.value) and "trim" in str(too_large.value)


def test_400_on_anonymous_token_retries_with_a_new_client_id(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app()
    first_id = app.store.client_id()
    emulator.inject("anonymous-token", "code:400")
    app.client.credits()
    ids = [c.headers["x-client-id"] for c in emulator.calls("anonymous-token")]
    assert ids[0] == first_id and ids[1] != first_id and app.store.client_id() == ids[1]


def test_400_twice_is_a_clear_error(emulator: Emulator, make_app: MakeApp) -> None:
    emulator.inject("anonymous-token", "code:400", times=2)
    with pytest.raises(MissingClientId):
        make_app().client.credits()


def test_400_elsewhere_is_a_plain_refusal_not_a_new_identity(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app()
    app.client.ensure_session()
    emulator.inject("render-submit", "http:400")
    with pytest.raises(ApiStatusError) as caught:
        app.client.request("POST", "/api/render/proxy/lambda", json={})
    assert type(caught.value) is ApiStatusError and caught.value.status == 400
    assert len(emulator.calls("anonymous-token")) == 1


def test_402_is_about_the_plan_not_credits(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app()
    app.client.ensure_session()
    emulator.inject("render-submit", "code:402")
    with pytest.raises(PlanRequired) as caught:
        app.client.request("POST", "/api/render/proxy/lambda", json={})
    assert str(caught.value) == "Register or upgrade your plan to unlock export."
    assert "credit" not in caught.value.render("zh") and "积分" not in caught.value.render("zh")


def test_429_waits_and_retries_once(emulator: Emulator, make_app: MakeApp) -> None:
    app = make_app()
    emulator.inject("credits", "code:429")
    assert app.client.credits()["total"] == 100
    assert "The service is busy; trying again in 0 s..." in _lines(app)
    emulator.inject("credits", "code:429", times=2)
    with pytest.raises(RateLimited):
        app.client.credits()


@pytest.mark.parametrize(("fault", "error", "words"), [
    ("http:500", ServerError, "HTTP 500"),
    ("html:502", ServerError, "HTTP 502"),
    ("html:404", ApiStatusError, "HTTP 404"),
    ("truncated", BadResponse, "cut off"),
    ("reset", ConnectionFailed, "Cannot reach 127.0.0.1"),
])
def test_transport_and_body_failures_become_clear_errors(emulator: Emulator, make_app: MakeApp, fault: str,
                                                         error: type[Exception], words: str) -> None:
    emulator.inject("credits", fault, times=2)  # a read lost after sending is asked once more
    with pytest.raises(error) as caught:
        make_app().client.credits()
    assert words in str(caught.value)


def test_slow_answer_is_a_timeout(emulator: Emulator, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIP_SYNC_VIDEO_HTTP_TIMEOUT_SECONDS", "0.2")
    emulator.inject("credits", "slow:1")
    with pytest.raises(RequestTimeout) as caught:
        make_app().client.credits()
    assert "did not answer in time" in str(caught.value)


def test_auth_and_attribution_stay_on_the_api_origin(emulator: Emulator) -> None:
    seen: list[httpx.Request] = []

    def cdn(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"video")

    settings = Settings.from_env()
    app = App(settings, RecordingEvents())
    client = NemoClient(settings, app.store, app.events, transport=httpx.MockTransport(cdn))
    client._token = "tok-abcdefghijkl"  # as if authenticated
    client.http.get("https://cdn.example.com/render.mp4")
    client.http.get(f"{settings.api_base}/api/credits/balance/simple")
    assert "authorization" not in seen[0].headers and "x-skill-source" not in seen[0].headers
    assert seen[1].headers["authorization"] == "Bearer tok-abcdefghijkl"
    client.close()


def test_a_stream_dropped_mid_turn_is_a_connection_error_and_not_resent(emulator: Emulator,
                                                                        make_app: MakeApp) -> None:
    from httpx_sse import EventSource

    app = make_app()
    emulator.play("drop_mid_stream")
    texts: list[str] = []
    with pytest.raises(ConnectionFailed), app.client.stream("POST", "/run_sse", json={
            "app_name": "nemo_agent", "user_id": "me", "session_id": "{session_id}",
            "new_message": {"parts": [{"text": "generate"}]}}) as response:
        texts.extend(event.data for event in EventSource(response).iter_sse())
    assert texts  # what arrived before the drop was delivered
    assert len(emulator.calls("run_sse")) == 1


def test_a_read_lost_after_sending_is_asked_once_more(emulator: Emulator, make_app: MakeApp) -> None:
    client = make_app().client
    client.ensure_session()
    emulator.inject("credits", "reset")
    assert client.credits()["available"] == 100
    assert len(emulator.calls("credits")) == 2


def test_a_write_lost_after_sending_is_reported_not_repeated(emulator: Emulator, make_app: MakeApp) -> None:
    client = make_app().client
    client.ensure_session()
    emulator.inject("upload", "reset")
    with pytest.raises(ConnectionLost) as caught:
        client.request("POST", "/api/upload-video/nemo_agent/me/{session_id}",
                       json={"urls": ["https://example.com/a.mp4"], "source_type": "url"})
    assert "may or may not have been done" in str(caught.value)
    assert len(emulator.calls("upload")) == 1


def test_a_refused_connection_is_unreachable(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("NEMO_API_BASE", f"http://127.0.0.1:{port}")
    with pytest.raises(ConnectionFailed) as caught:
        make_app().client.credits()
    assert type(caught.value) is ConnectionFailed
