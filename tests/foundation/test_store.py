"""The store: private files, atomic writes, recovery from corrupt files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from skill.config import Settings
from skill.console import RecordingEvents
from skill.store import Credentials, SessionRecord, Store


@pytest.fixture
def events() -> RecordingEvents:
    return RecordingEvents("en")


@pytest.fixture
def store(events: RecordingEvents) -> Store:
    return Store.open(Settings.from_env(), events)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_location_follows_lip_sync_video_home(store: Store, isolated_env: Path) -> None:
    assert store.home == isolated_env


def test_default_location_is_the_user_config_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIP_SYNC_VIDEO_HOME")
    home = Store.open(Settings.from_env()).home
    assert home.name == "lip-sync-video"


def test_files_are_private_from_the_first_byte(store: Store) -> None:
    store.write_json("auth", {"client_id": "x"})
    assert _mode(store.home) == 0o700
    assert _mode(store.path("auth")) == 0o600
    store.write_json("renders", {"pending": ["render_1"]})
    assert _mode(store.path("renders")) == 0o600
    assert store.read_json("renders") == {"pending": ["render_1"]}


def test_failed_replace_keeps_the_old_file_and_leaves_no_temp(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.write_json("session", {"session_id": "old"})

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.write_json("session", {"session_id": "new"})
    monkeypatch.undo()
    assert store.read_json("session") == {"session_id": "old"}
    assert sorted(p.name for p in store.home.iterdir()) == ["session.json"]


def test_delete_and_missing_records(store: Store) -> None:
    assert store.read_json("nothing") is None
    store.delete("nothing")  # deleting what is not there is fine
    store.write_json("x", [1])
    store.delete("x")
    assert store.read_json("x") is None


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "UPPER", ".hidden"])
def test_record_names_cannot_escape_the_store(store: Store, name: str) -> None:
    with pytest.raises(ValueError):
        store.path(name)


@pytest.mark.parametrize("garbage", [b'{"client_id": "abc", "cred', b"\xff\xfe\x00", b"<html>", b""])
def test_corrupt_file_is_set_aside_with_one_notice(store: Store, events: RecordingEvents, garbage: bytes) -> None:
    store.home.mkdir(parents=True)
    store.path("auth").write_bytes(garbage)
    client_id = store.client_id()  # recovers: a new client id, no crash
    assert len(client_id) == 36
    assert events.lines == ["A saved settings file (auth.json) was damaged; set aside and starting fresh."]
    assert (store.home / "auth.json.corrupt").read_bytes() == garbage
    assert store.client_id() == client_id


def test_client_id_is_persisted_and_overridable(store: Store) -> None:
    first = store.client_id()
    assert Store(store.home).client_id() == first
    assert store.client_id("from-env") == "from-env"
    assert store.new_client_id() != first


def test_credentials_and_session_round_trip(store: Store) -> None:
    store.client_id()
    creds = Credentials(token="tok-abcdef123456", expires_at=4e9, api_base="http://h", user_id="anon_1")
    store.save_credentials(creds)
    assert store.credentials() == creds
    assert creds.valid_for("http://h") and not creds.valid_for("http://other")
    assert not Credentials("t" * 12, expires_at=1.0, api_base="http://h").valid_for("http://h")
    store.forget_credentials()
    assert store.credentials() is None
    session = SessionRecord("s1", "t1", "http://h", "user:anon_1", "en")
    store.save_session(session)
    assert store.session() == session
    store.forget_session()
    assert store.session() is None


def test_records_of_the_wrong_shape_are_ignored(store: Store) -> None:
    store.write_json("session", {"session_id": "s1"})  # missing fields
    store.write_json("auth", {"client_id": "c", "credentials": {"token": 1}})
    assert store.session() is None
    assert store.credentials() is None


@pytest.mark.parametrize("credentials", [
    {"token": "tok-abcdef123456", "expires_at": "2030-01-01", "api_base": "http://h"},  # hand-edited expiry
    {"token": 12345678901, "expires_at": 4e9, "api_base": "http://h"},  # a token that is not text
    {"token": "tok-abcdef123456", "expires_at": 4e9, "api_base": ["http://h"]},
    {"token": "tok-abcdef123456", "expires_at": True, "api_base": "http://h", "user_id": {"a": 1}},
])
def test_credentials_with_fields_of_the_wrong_type_are_ignored(store: Store, credentials: dict) -> None:
    store.write_json("auth", {"client_id": "c", "credentials": credentials})
    found = store.credentials()
    assert found is None or found.valid_for("http://h") in (True, False)  # never a TypeError later
    assert found is None


def test_a_session_with_fields_of_the_wrong_type_is_ignored(store: Store) -> None:
    store.write_json("session", {"session_id": 1, "task_id": "t", "api_base": "http://h", "owner": None,
                                 "language": "en"})
    assert store.session() is None
