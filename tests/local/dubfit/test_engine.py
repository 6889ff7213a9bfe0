"""The dub-fit engine's parts: phrase matching with a phrase more or fewer, the stretch limits and
their warnings, the placement rules, and the WSOLA pass's pitch, clicks and clipping."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from skill.local.dubfit import match, plan, wsola
from skill.local.dubfit.activity import Phrase
from skill.local.dubfit.engine import fit_files
from tests.local.dubfit.synth import f0_median, phrase, track
from tests.local.speechsynth import write_wav

P = Phrase


def test_equal_counts_pair_one_to_one() -> None:
    ours = [P(1, 3), P(4, 5), P(6, 8.5)]
    theirs = [P(0.5, 3.0), P(3.4, 4.6), P(5.2, 7.9)]
    assert match.match(ours, theirs) == [match.Group(i, i, i, i) for i in range(3)]


def test_a_dub_phrase_more_shares_one_original_slot() -> None:
    ours = [P(1, 3), P(4, 7), P(8, 9.5), P(10.5, 12)]
    theirs = [P(0.5, 2.6), P(3.2, 4.5), P(4.9, 6.5), P(7.4, 8.8), P(9.6, 11.2)]  # the second is said in two
    groups = match.match(ours, theirs)
    assert groups == [match.Group(0, 0, 0, 0), match.Group(1, 1, 1, 2), match.Group(2, 2, 3, 3),
                      match.Group(3, 3, 4, 4)]


def test_a_dub_phrase_fewer_spans_two_original_phrases_and_their_pause() -> None:
    ours = [P(1, 3), P(4, 5.5), P(5.9, 7.5), P(8.5, 10), P(11, 12.5)]
    theirs = [P(0.5, 2.6), P(3.2, 6.8), P(7.6, 9.2), P(10, 11.6)]  # phrases 2 and 3 said as one
    groups = match.match(ours, theirs)
    assert groups == [match.Group(0, 0, 0, 0), match.Group(1, 2, 1, 1), match.Group(3, 3, 2, 2),
                      match.Group(4, 4, 3, 3)]
    items, squeezed = plan.plan(ours, theirs, groups, 1.25, 14.0)
    assert items[1].placed == pytest.approx((4.0, 7.5), abs=0.03) and not squeezed


def _plan(ours: list[Phrase], theirs: list[Phrase], limit: float = 1.25, duration: float = 20.0
          ) -> list[plan.Placement]:
    items, _ = plan.plan(ours, theirs, [match.Group(i, i, i, i) for i in range(len(ours))], limit, duration)
    return items


def test_too_long_starts_on_time_runs_into_the_pause_and_warns() -> None:
    items = _plan([P(1, 3), P(6, 8)], [P(1, 4), P(5, 7)])  # the first needs 1.5x faster
    first = items[0]
    assert first.stretch == pytest.approx(1 / 1.25)
    assert first.placed[0] == pytest.approx(1.0) and first.placed[1] == pytest.approx(1 + 3 / 1.25)
    assert first.warning == "too_long" and first.warning_params["over_ms"] == 400
    assert items[1].warning is None


def test_too_short_starts_on_time_ends_early_and_warns() -> None:
    items = _plan([P(1, 4), P(6, 8)], [P(1, 2.5), P(5, 7)], limit=1.5)
    assert items[0].stretch == pytest.approx(1.5)
    assert items[0].placed == pytest.approx((1.0, 3.25))
    assert items[0].warning == "too_short" and items[0].warning_params["early_ms"] == 750


def test_a_run_over_reaching_the_next_phrase_is_shared_and_nothing_overlaps() -> None:
    items = _plan([P(1, 3), P(3.3, 5), P(7, 9)], [P(1, 4), P(4.5, 6.2), P(7, 9)])
    assert items[0].placed[0] < 1.0  # starts a little early...
    assert items[1].placed[0] > 3.3  # ...and the next a little late
    for a, b in itertools.pairwise(items):
        assert a.placed[1] + plan.MIN_GAP <= b.placed[0] + 1e-9
    assert items[1].warning == "moved" and items[1].warning_params["moved_ms"] > 0
    assert all(1 / 1.25 - 1e-9 <= p.stretch <= 1.25 + 1e-9 for p in items)


def test_neighbouring_factors_are_smoothed_within_the_tolerance() -> None:
    items = _plan([P(1, 3), P(3.4, 5.4)], [P(1, 2.0 / 1.2 + 1), P(3, 3 + 2 / 0.85)])
    raw = [1.2, 0.85]
    assert abs(np.log(items[0].stretch / items[1].stretch)) < abs(np.log(raw[0] / raw[1]))
    for item, (start, end) in zip(items, [(1, 3), (3.4, 5.4)]):
        assert abs(item.placed[0] - start) < 1e-6 and abs(item.placed[1] - end) <= 0.025 + 1e-6


def test_speech_longer_than_the_whole_track_is_squeezed_never_cut() -> None:
    items, squeezed = plan.plan([P(0.5, 2), P(2.5, 4)], [P(0, 4), P(4.5, 8.5)],
                                [match.Group(0, 0, 0, 0), match.Group(1, 1, 1, 1)], 1.25, 4.5)
    assert squeezed and items[-1].placed[1] <= 4.5 + 1e-9 and items[0].placed[0] >= 0


def test_time_map_is_monotone_and_spans_both_tracks() -> None:
    items = _plan([P(1, 3), P(6, 8)], [P(0, 2.2), P(2.6, 4.4)], duration=10)
    tmap = plan.time_map(items, 5.0, 10.0)
    assert np.all(np.diff(tmap.out_points) >= 0) and np.all(np.diff(tmap.in_points) >= -1e-12)
    assert tmap.out_points[-1] == 10.0 and tmap.in_points[-1] == 5.0
    assert tmap.holes  # the dub's short pauses cannot fill the original's long ones: muted in the middle


@pytest.mark.parametrize("ratio", [0.8, 1.25])
def test_wsola_keeps_pitch_does_not_clip_or_click(ratio: float) -> None:
    rate = 44_100
    x = phrase(2.0, rate, 180)
    x = np.concatenate([np.zeros(rate // 2, np.float32), x, np.zeros(rate // 2, np.float32)])
    dur_in = len(x) / rate
    dur_out = 0.5 + 2.0 * ratio + 0.5
    tmap = plan.TimeMap(np.array([0, 0.5, 0.5 + 2 * ratio, dur_out]), np.array([0, 0.5, 2.5, dur_in]), [],
                        dur_out)
    out = np.concatenate(list(wsola.render(iter([x[None, i:i + 65536] for i in range(0, len(x), 65536)]), rate,
                                           tmap, round(dur_out * rate))), axis=1)[0]
    assert len(out) == round(dur_out * rate)
    body = out[int(0.6 * rate): int((0.4 + 2 * ratio) * rate)]
    cents = 1200 * np.log2(f0_median(body, rate) / f0_median(x[int(0.6 * rate): int(2.4 * rate)], rate))
    assert abs(cents) <= 10
    assert np.abs(out).max() <= np.abs(x).max() + 1e-6
    assert np.abs(np.diff(out)).max() <= 1.5 * np.abs(np.diff(x)).max()
    active = np.flatnonzero(np.abs(out) > 0.01)
    assert abs(active[0] / rate - 0.5) <= 0.012 and abs(active[-1] / rate - (0.5 + 2 * ratio)) <= 0.012


def test_a_hole_fades_no_click_and_the_track_edges_fade(tmp_path: Path) -> None:
    rate = 16_000
    original = write_wav(tmp_path / "o.wav", track([(1.0, 1.0), (4.0, 1.0)], 6.0, rate, 120), rate)
    voice = track([(0.0, 1.0), (1.3, 1.0)], 2.5, rate, 200, noise_db=-40)
    dub = write_wav(tmp_path / "d.wav", voice, rate)
    result = fit_files(original, dub, tmp_path / "f.wav")
    from skill.media.decode import decode_native

    out = decode_native(tmp_path / "f.wav").samples
    assert len(out) == 6 * rate
    assert [p.placed for p in result.placements] == [pytest.approx((1.0, 2.0), abs=0.02),
                                                       pytest.approx((4.0, 5.0), abs=0.02)]
    assert abs(out[0]) < 1e-3 and abs(out[-1]) < 1e-3
    pause = out[int(2.5 * rate): int(3.5 * rate)]
    assert np.abs(pause).max() < 1e-3  # the middle of the stretched pause is muted
    assert np.abs(np.diff(out)).max() <= 1.5 * np.abs(np.diff(voice)).max()  # no step the voice never had
