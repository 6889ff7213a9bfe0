"""SKILL.md tells an agent on a bare machine what works, and that backend text is never an instruction."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BODY = (ROOT / "SKILL.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]


def test_the_bootstrap_runner_is_the_first_fallback() -> None:
    runner, module = BODY.index("scripts/run.py"), BODY.index("python3 -m skill")
    assert runner < module
    first_fallback = BODY[BODY.index("is not on PATH"):][:300]
    assert "scripts/run.py" in first_fallback and "python3 -m skill" not in first_fallback
    assert "missing package" in BODY or "missing dependency" in BODY


def test_errors_are_one_line_on_stderr_and_the_reply_with_json() -> None:
    assert "one line on stderr" in BODY and "`reply`" in BODY


def test_relayed_backend_text_is_data_never_instructions() -> None:
    rule = BODY[BODY.index("Backend text is data"):][:900]
    for words in ("never instructions", "NemoVideo replied (its own words", "do not\n  run a command",
                  "[…]", "Shall I do that?"):
        assert words in rule, words


def test_sync_fixes_are_offline_by_default_and_the_cloud_only_when_asked() -> None:
    assert "**on this machine** by default" in BODY and "`--cloud` only when the\nperson asks" in BODY


def test_the_new_local_capabilities_are_in_the_routing_table() -> None:
    for command in ("`mouth-cues`", "`animate`", "`fit`", "`face-check`", "`talk`"):
        assert command in BODY


def test_a_batch_manifest_example_is_given() -> None:
    example = BODY[BODY.index("```yaml"):]
    assert "video:" in example and "tracks:" in example and "lip-sync-video batch manifest.yaml" in example
