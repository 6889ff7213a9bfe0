"""Every media message renders in both languages with the parameters its raiser passes."""

from __future__ import annotations

import pytest

from skill.replies import render

MESSAGES = {
    "errors/media_permission": {"name": "a.mp4"},
    "errors/media_no_streams": {"name": "a.mp4"},
    "errors/media_unsupported_content": {"name": "a.mp4", "container": "flac"},
    "errors/media_download_url": {"url_scheme": "file"},
    "errors/media_download_status": {"status": 403},
    "errors/media_download_incomplete": {"name": "a.mp4"},
    "errors/media_write_failed": {"name": "/x/a.mp4", "reason": "No space left on device"},
    "errors/media_render_failed": {"render_id": "render_1", "reason": ""},
    "errors/media_render_slow": {"render_id": "render_1"},
    "errors/media_batch_sync_failed": {"label": "es"},
    "errors/media_batch_nothing_to_export": {"label": "es"},
    "errors/media_batch_journal": {"path": "/x/.batch.journal.sqlite", "reason": "file is not a database"},
    "errors/media_manifest_missing": {"name": "m.yaml"},
    "errors/media_manifest_unreadable": {"name": "m.yaml", "detail": "line 3"},
    "errors/media_manifest_incomplete": {"number": 2},
    "errors/media_limit_number": {"value": "big"},
    "export/resuming": {"render_id": "render_1"},
    "export/rendering": {"fraction": 0.5, "state": "processing"},
    "export/downloading": {"fraction": None, "name": "a.mp4"},
    "export/nothing_to_export": {},
    "export/done": {"path": "/x/a.mp4", "render_id": "r", "resumed": True, "duration": 2.0, "timing_json": "/t"},
    "batch/progress": {"finished": 1, "total": 2, "label": "es", "status": "failed", "fraction": 0.5},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_message_renders_on_one_readable_line(key: str, lang: str) -> None:
    text = render(key, lang, **MESSAGES[key])
    assert text and "{{" not in text and "None" not in text
    if key.startswith("errors/"):
        assert "\n" not in text
