"""Pure pieces: envelope unwrapping and the error table; the redactor and its published allow-list."""

from __future__ import annotations

import logging

import pytest

from skill.errors import (
    ApiStatusError,
    AuthExpired,
    BadResponse,
    FileTooLarge,
    MissingClientId,
    NoCredits,
    PlanRequired,
    RateLimited,
    ServerError,
    SessionNotFound,
    UnsupportedFile,
)
from skill.nemo import envelope
from skill.redact import MASK, RedactingFilter, publish, redact, redact_obj, register_secret


@pytest.mark.parametrize(("status", "body", "data"), [
    (200, {"code": 0, "message": "success", "data": {"a": 1}}, {"a": 1}),
    (200, {"success": True, "data": {"id": "r"}}, {"id": "r"}),
    (200, {"success": True, "id": "r"}, {"success": True, "id": "r"}),
    (200, {"taskId": "render_1", "status": "completed"}, {"taskId": "render_1", "status": "completed"}),
    (200, [1, 2], [1, 2]),
    (200, None, None),
])
def test_unwrap_accepts_all_three_shapes(status: int, body: object, data: object) -> None:
    assert envelope.unwrap(status, body) == data


@pytest.mark.parametrize(("status", "body", "error"), [
    (200, {"code": 1001}, AuthExpired),
    (200, {"code": 1010}, AuthExpired),
    (401, {"detail": "unauthorized"}, AuthExpired),
    (200, {"code": 1002}, SessionNotFound),
    (404, {"detail": "Session not found"}, SessionNotFound),
    (200, {"code": 2001}, NoCredits),
    (200, {"code": 4001}, UnsupportedFile),
    (200, {"code": 4002}, FileTooLarge),
    (400, {"code": 400, "message": "X-Client-Id header is required"}, MissingClientId),
    (402, {"code": 402}, PlanRequired),
    (429, {"code": 429}, RateLimited),
    (503, {"code": 503}, ServerError),
    (200, {"success": False, "error": "boom"}, ApiStatusError),
    (418, {"message": "teapot"}, ApiStatusError),
])
def test_error_table(status: int, body: dict, error: type[ApiStatusError]) -> None:
    with pytest.raises(error) as caught:
        envelope.unwrap(status, body)
    assert type(caught.value) is error


@pytest.mark.parametrize(("status", "content", "ctype", "error", "kind"), [
    (200, b"<!DOCTYPE html><html>login</html>", "text/html", BadResponse, "html"),
    (200, b'{"code": 0, "data": {"to', "application/json", BadResponse, "truncated"),
    (200, b"OK", "text/plain", BadResponse, "not_json"),
    (502, b"<html><body>Bad Gateway</body></html>", "text/html", ServerError, None),
    (401, b"<html>nope</html>", "text/html", AuthExpired, None),
    (500, b"", "", ServerError, None),
])
def test_non_json_bodies(status: int, content: bytes, ctype: str, error: type, kind: str | None) -> None:
    with pytest.raises(error) as caught:
        envelope.parse_body(status, content, ctype)
    if kind:
        assert caught.value.params["kind"] == kind


def test_server_detail_is_bounded() -> None:
    with pytest.raises(ApiStatusError) as caught:
        envelope.unwrap(418, {"message": "x" * 5000})
    # envelope cuts at 200; LipSyncError then shortens every shown parameter further (replies.shown)
    assert 0 < len(caught.value.params["detail"]) <= 200


def test_every_secret_shape_is_masked() -> None:
    register_secret("s3cr3t-value-registered")
    text = ("tok nmv_usr_abcDEF123 claim clm_0123abcd header Authorization: Bearer abc.def-ghi "
            "fal Key 0123456789abcdef:xyz url https://x/y?token=abc&ct=clm_9&ok=1 "
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijk and s3cr3t-value-registered")
    masked = redact(text)
    for leaked in ("nmv_usr_", "clm_", "abc.def-ghi", "0123456789abcdef", "token=abc", "eyJhbGci", "s3cr3t"):
        assert leaked not in masked
    assert "ok=1" in masked


def test_published_links_survive_only_where_the_person_reads() -> None:
    link = "https://nemovideo.com/workspace/claim?ct=clm_published123"
    publish(link)
    assert redact(f"open {link}", published=True) == f"open {link}"
    assert redact(f"open {link}") == f"open https://nemovideo.com/workspace/claim?ct={MASK}"
    assert redact_obj({"project_link": link}, published=True) == {"project_link": link}
    # a different claim token in the same output is still masked
    assert "clm_other" not in redact(f"{link} clm_other999", published=True)


def test_a_value_holding_a_secret_cannot_be_published() -> None:
    register_secret("nmv_usr_never_publish_me")
    publish("https://x/?t=nmv_usr_never_publish_me")
    assert "never_publish" not in redact("https://x/?t=nmv_usr_never_publish_me", published=True)


def test_log_filter_redacts_messages_and_tracebacks() -> None:
    register_secret("secret-in-a-traceback-42")
    try:
        raise RuntimeError("secret-in-a-traceback-42")
    except RuntimeError:
        import sys

        record = logging.LogRecord("skill", logging.DEBUG, __file__, 1, "token %s", ("secret-in-a-traceback-42",),
                                   sys.exc_info())
    RedactingFilter().filter(record)
    assert "secret-in-a-traceback-42" not in record.getMessage()
    assert "RuntimeError" in record.getMessage()


@pytest.mark.parametrize(("value", "expected"), [
    (1_900_000_000, 1_900_000_000.0),
    (1_900_000_000_000, 1_900_000_000.0),  # milliseconds
    ("2030-03-17T17:46:40Z", 1_900_000_000.0),
])
def test_token_expiry_formats(value: object, expected: float) -> None:
    assert envelope.expiry_seconds(value) == expected


@pytest.mark.parametrize("value", [None, "", "next tuesday", True, -5])
def test_unknown_expiry_means_seven_days(value: object) -> None:
    import time

    assert abs(envelope.expiry_seconds(value) - (time.time() + 7 * 24 * 3600)) < 60


def test_a_4001_lists_the_formats_preflight_accepts() -> None:
    from skill.errors import UnsupportedFile
    from skill.media.names import SUPPORTED_EXTENSIONS
    from skill.nemo.envelope import error_for

    error = error_for(4001, 200, "unsupported")
    assert isinstance(error, UnsupportedFile)
    assert error.params["formats"] == ", ".join(SUPPORTED_EXTENSIONS)


def test_the_env_token_is_masked_from_the_moment_settings_read_it() -> None:
    from skill.config import Settings
    from skill.redact import redact

    token = "nemo-own-token-read-early-9f8e7d6c"  # no secret shape: only registration masks it
    settings = Settings.from_env({"NEMO_TOKEN": token})
    assert settings.token == token and token not in repr(settings)
    assert token not in redact(f"failed with {token}")
