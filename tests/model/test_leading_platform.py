"""The leading platform changes hands only beyond noise (ODD 7.10), on paired seeds."""

import numpy as np
import pandas as pd
import pytest

from latticesim import simulate
from latticesim.mechanisms.metrics import LEADER_MARGIN

SEEDS = range(30)


def _model_rows(spec, seed):
    return pd.DataFrame(simulate(spec, seed, record_actors=False).recorder.model_rows)


def _changes(leaders: pd.Series) -> int:
    return int((leaders != leaders.shift()).iloc[1:].sum())


def _largest_share(model: pd.DataFrame) -> pd.Series:
    """The leader as the plain largest share would name it, quarter by quarter."""
    shares = model[[c for c in model if c.startswith("share_")]]
    return shares.idxmax(axis=1).str.removeprefix("share_")


@pytest.fixture(scope="module")
def runs(baseline, pivot):
    return {
        name: [_model_rows(spec, seed) for seed in SEEDS]
        for name, spec in (("baseline", baseline), ("pivot", pivot))
    }


def test_noise_does_not_hand_the_lead_back_and_forth(runs):
    # The G7 and the NATO+IP4 session are within about 0.01 of each other, and the summit
    # calendar swings their shares by as much: the largest share changes hands several
    # times a run; the leading platform a few times at most.
    plain = [_changes(_largest_share(m)) for m in runs["baseline"]]
    kept = [_changes(m["leading_platform"]) for m in runs["baseline"]]
    assert np.mean(plain) >= 2
    assert max(kept) <= 2 and np.mean(kept) <= 1
    assert np.mean(kept) < np.mean(plain) / 2


def test_each_change_of_leader_is_a_lead_beyond_the_margin(runs):
    for model in runs["baseline"] + runs["pivot"]:
        lead = model["leading_platform"]
        for k in np.flatnonzero((lead != lead.shift()).to_numpy())[1:]:
            row, before = model.iloc[k], lead.iloc[k - 1]
            old = row.get(f"share_{before}", np.nan)
            assert np.isnan(old) or row[f"share_{row['leading_platform']}"] > old + LEADER_MARGIN
        assert (
            model["leading_platform_share"]
            == model.apply(lambda r: r[f"share_{r['leading_platform']}"], axis=1)
        ).all()


def test_the_us_pivot_still_hands_the_lead_over(runs):
    # ODD 8: NATO and its partners' session lose standing under the pivot while the G7
    # keeps delivering, so the lead passes beyond the margin within two years of the
    # pivot in nearly every run; in the baseline it passes later on the same seed (the
    # G7 passes the session too, as NATO's own texts draw standing to NATO, but later).
    def passed_by_2027(model):
        lead = model.loc[model["year"] <= 2027, "leading_platform"]
        return lead.iloc[-1] != lead.iloc[0]

    def first_change(model):
        lead = model["leading_platform"].to_numpy()
        changed = np.flatnonzero(lead != lead[0])
        return changed[0] if len(changed) else len(lead)

    pivot = sum(passed_by_2027(m) for m in runs["pivot"])
    assert pivot >= 0.8 * len(SEEDS)
    earlier = np.array(
        [
            first_change(b) - first_change(p)
            for b, p in zip(runs["baseline"], runs["pivot"], strict=True)
        ]
    )
    assert (earlier < 0).sum() <= 2  # never later, but for noise
    assert earlier.mean() >= 4  # quarters earlier, on average over the paired seeds
