"""Check-ins: the outlook for the rest of the quarter given the actuals so far.

Method (importance weighting and resampling, one KR at a time):

1. Draw the plan's uncertain inputs and noise as `simulate` does, and walk the KRs in funnel
   order with every observed value up to ``as_of_week`` fixed in place, so funnels grow from
   what actually happened. Missing values are skipped, not treated as zero.
2. Score each draw's inputs by the likelihood of the observed values under the model's
   noise: an observed ``x`` with model mean ``mu`` has the gamma density with shape
   ``1/cv**2`` and scale ``mu cv**2``. With observed sources fixed, a KR's likelihood
   depends only on its own inputs (its baseline, the lifts into it, the funnel rates into
   it), which are independent of other KRs' inputs; so each KR's block of inputs is
   weighted by its own observations, and the posterior is the product of the blocks. (Where
   a source week was not measured, its simulated value stands in: an approximation.)
3. Each block is resampled by its weights (systematic resampling), the blocks are put back
   together, and the rest of the quarter is simulated from them with fresh noise. Inputs
   that fit the actuals are drawn more often.
4. The effective sample size of a block, ``ESS = 1 / sum(w**2)``, says how many draws carry
   it. Below `ESS_FLOOR` the run is repeated with four times the draws (up to `MAX_DRAWS`);
   if that is not enough, the KRs concerned are reported as ones the plan no longer
   explains. A KR's standard errors use the smallest ESS of its own block and its funnel
   sources: ``sqrt(p (1 - p) / ESS)``.

This is done for the plan as written (the baseline scenario): shocks share inputs across
KRs, which this factorisation does not cover. A KR with no noise (volatility 0) is scored
with a CV of `LIKELIHOOD_MIN_CV`, since an exact match would be needed otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .compile import CompiledPlan
from .engine import PlanDraws, add_lagged, draw_plan_inputs, quarter_values
from .errors import OkrScenariosError
from .model import Plan
from .sampling import BLOCK, Streams, resolve_seed, stream_key
from .simulation import DEFAULT_DRAWS, DEFAULT_SEED

ESS_FLOOR = 200
MAX_DRAWS = 160_000
LIKELIHOOD_MIN_CV = 0.02


class CheckInError(OkrScenariosError, ValueError):
    """Raised when a check-in cannot be made (no actuals, a week outside the quarter)."""


@dataclass(frozen=True)
class Conditioned:
    """Draws of the quarter given the actuals, and the same draws without them.

    ``weekly`` (krs, weeks, draws): observed values in place, the rest simulated from the
    resampled inputs; ``prior_weekly``: the plan's draws without the actuals;
    ``block_ess`` (krs,): effective sample size of each KR's own inputs; ``kr_ess`` (krs,):
    the smallest over a KR and its funnel sources.
    """

    plan: Plan
    as_of_week: int
    seed: int
    observed: np.ndarray  # (krs, weeks), NaN where not measured (or after as_of_week)
    weekly: np.ndarray
    prior_weekly: np.ndarray
    block_ess: np.ndarray
    kr_ess: np.ndarray
    prior_lift: np.ndarray  # (effects, draws)
    lift: np.ndarray  # (effects, draws) after resampling

    @property
    def draws(self) -> int:
        return self.weekly.shape[2]

    @property
    def ess(self) -> float:
        """The smallest effective sample size over the KRs' blocks."""
        return float(self.block_ess.min())

    @property
    def unexplained(self) -> list[str]:
        """KRs whose actuals too few draws can explain (ESS under `ESS_FLOOR`)."""
        return [kr.id for kr, e in zip(self.plan.key_results, self.kr_ess, strict=True)
                if e < ESS_FLOOR]

    @property
    def explained(self) -> bool:
        return not self.unexplained

    def quarter(self) -> np.ndarray:
        """(krs, draws) quarter values given the actuals."""
        return quarter_values(CompiledPlan(self.plan), self.weekly)

    def prior_quarter(self) -> np.ndarray:
        return quarter_values(CompiledPlan(self.plan), self.prior_weekly)


def latest_week(plan: Plan) -> int:
    """The last week with a measured value in actuals.csv."""
    weeks = [a.week for a in plan.actuals if a.value is not None]
    if not weeks:
        raise CheckInError("actuals.csv has no measured values to check in against")
    return max(weeks)


def observed_matrix(plan: Plan, as_of_week: int) -> np.ndarray:
    """(krs, weeks) observed values up to ``as_of_week``; NaN where not measured."""
    index = {kr.id: k for k, kr in enumerate(plan.key_results)}
    out = np.full((len(index), plan.weeks), np.nan)
    for a in plan.actuals:
        if a.value is not None and a.week <= as_of_week:
            out[index[a.kr], a.week - 1] = a.value
    return out


def check_week(plan: Plan, as_of_week: int | None) -> int:
    """The check-in week: ``as_of_week`` or the latest with actuals, inside the quarter and
    with something measured by then."""
    week = latest_week(plan) if as_of_week is None else as_of_week
    if not 1 <= week <= plan.weeks:
        raise CheckInError(f"as_of_week {week} is outside the quarter (1..{plan.weeks})")
    if np.isnan(observed_matrix(plan, week)).all():
        raise CheckInError(f"actuals.csv has no measured values up to week {week}")
    return week


def condition(plan: Plan, as_of_week: int | None = None, *, draws: int = DEFAULT_DRAWS,
              seed=DEFAULT_SEED, max_draws: int = MAX_DRAWS) -> Conditioned:
    """The quarter's draws given the actuals up to ``as_of_week`` (default: the latest)."""
    week = check_week(plan, as_of_week)
    observed = observed_matrix(plan, week)
    entropy = resolve_seed(seed)
    while True:
        result = _condition(plan, week, observed, draws, entropy)
        if result.explained or draws * 4 > max_draws:
            return result
        draws *= 4


def _condition(plan: Plan, week: int, observed: np.ndarray, draws: int, seed: int
               ) -> Conditioned:
    cp = CompiledPlan(plan)
    streams = Streams(seed, "random", cp.uniform_names())
    chunks = [draw_plan_inputs(cp, streams, start, min(start + BLOCK, draws))
              for start in range(0, draws, BLOCK)]
    prior = PlanDraws(*(np.concatenate([getattr(c, f) for c in chunks], axis=-1)
                        for f in ("baseline", "lift", "rate", "noise")))
    cv = np.maximum(cp.volatility, LIKELIHOOD_MIN_CV)
    prior_weekly = _walk(cp, prior, None, cv)[0]
    _, loglik = _walk(cp, prior, observed, cv)
    # resample each KR's block of inputs by its own likelihood
    possible = np.isfinite(loglik).any(axis=1)  # some draw can produce the observations
    top = np.where(possible, np.max(loglik, axis=1, initial=-np.inf), 0.0)[:, None]
    weights = np.where(possible[:, None], np.exp(loglik - top), 1.0)
    weights /= weights.sum(axis=1, keepdims=True)
    block_ess = np.where(possible, 1.0 / np.sum(weights**2, axis=1), 0.0)
    resample_seed = np.random.SeedSequence(seed, spawn_key=stream_key("checkin:resample"))
    rng = np.random.Generator(np.random.SFC64(resample_seed))
    picks = np.stack([_systematic(w, rng) for w in weights])  # (K, draws)
    posterior = PlanDraws(
        baseline=np.take_along_axis(prior.baseline, picks, axis=1),
        lift=prior.lift[np.arange(len(cp.lift))[:, None], picks[cp.effect_kr]],
        rate=np.stack([prior.rate[n, picks[link.k]] for n, link in enumerate(cp.links)])
        if cp.links else prior.rate,
        noise=prior.noise)
    weekly = _walk(cp, posterior, observed, cv)[0]
    kr_ess = block_ess.copy()
    for k in cp.order:
        for _, link in cp.links_into[k]:
            kr_ess[k] = min(kr_ess[k], kr_ess[link.j])
    return Conditioned(plan, week, seed, observed, weekly, prior_weekly, block_ess, kr_ess,
                       prior.lift, posterior.lift)


def _walk(cp: CompiledPlan, inputs: PlanDraws, observed: np.ndarray | None, cv: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray]:
    """Weekly values (K, T, n) in funnel order with observed values fixed, and each KR's
    log likelihood of its observations (K, n), up to terms that do not depend on the draw."""
    K, T, n = len(cp.kr_ids), cp.weeks, inputs.baseline.shape[1]
    response = cp.response(cp.planned_spend)
    weekly, loglik = np.empty((K, T, n)), np.zeros((K, n))
    for k in cp.order:
        mu = cp.growth[:, k, None] * inputs.baseline[k]
        effects = cp.kr_effects[k]
        if effects.size:
            mu = mu + response[:, effects] @ inputs.lift[effects]
        for m, link in cp.links_into[k]:
            add_lagged(mu, inputs.rate[m], weekly[link.j], link.lag, cp.pre_level[link.j])
        values = mu * inputs.noise[k]
        if observed is not None:
            seen = np.flatnonzero(~np.isnan(observed[k]))
            if seen.size:
                x = observed[k, seen][:, None]
                loglik[k] = _gamma_loglik(x, mu[seen], cv[k])
                values[seen] = x
        weekly[k] = values
    return weekly, loglik


def _gamma_loglik(x: np.ndarray, mu: np.ndarray, cv: float) -> np.ndarray:
    """Sum over weeks of the gamma log density of ``x`` (m, 1) with mean ``mu`` (m, n) and
    CV ``cv``, less the terms that do not depend on the draw: ``-x/theta - a log theta``."""
    shape = 1.0 / cv**2
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = mu * cv**2
        out = np.where(theta > 0, -x / theta - shape * np.log(theta), -np.inf)
    return out.sum(axis=0)


def _systematic(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling: ``len(weights)`` indices drawn in proportion to the weights."""
    n = weights.size
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights), positions), n - 1)


# -- tables ------------------------------------------------------------------------------

def checkin_table(result: Conditioned) -> pd.DataFrame:
    """Per KR: actual to date against the plan's band, P(hit) at plan and now, notes."""
    plan, obs = result.plan, result.observed
    cp = CompiledPlan(plan)
    quarter, prior_q = result.quarter(), result.prior_quarter()
    scores = np.clip((quarter.T - cp.start) / (cp.target - cp.start), 0, 1)
    prior_scores = np.clip((prior_q.T - cp.start) / (cp.target - cp.start), 0, 1)
    n = result.draws
    rows = []
    for k, kr in enumerate(plan.key_results):
        seen = np.flatnonzero(~np.isnan(obs[k]))
        row = {"objective": kr.objective, "kr": kr.id, "name": kr.name,
               "indicator": kr.indicator, "target": kr.target}
        if seen.size:
            if kr.measure == "sum":  # running total over the measured weeks
                actual = obs[k, seen].sum()
                sims = result.prior_weekly[k, seen].sum(axis=0)
                row["to_date"] = f"total of {seen.size} measured weeks to week {seen[-1] + 1}"
            else:  # the latest level
                actual, sims = obs[k, seen[-1]], result.prior_weekly[k, seen[-1]]
                row["to_date"] = f"level in week {seen[-1] + 1}"
            p10, p50, p90 = np.quantile(sims, [0.1, 0.5, 0.9])
            flag = "below" if actual < p10 else "above" if actual > p90 else "within"
            row.update(actual=actual, band_p10=p10, band_p50=p50, band_p90=p90, flag=flag)
        else:
            row.update(actual=np.nan, band_p10=np.nan, band_p50=np.nan, band_p90=np.nan,
                       flag="not measured", to_date="")
        p_plan = float(np.mean(prior_scores[:, k] >= 1.0))
        p_now = float(np.mean(scores[:, k] >= 1.0))
        row.update(p_hit_plan=p_plan, p_hit_plan_se=np.sqrt(p_plan * (1 - p_plan) / n),
                   p_hit_now=p_now,
                   p_hit_now_se=np.sqrt(p_now * (1 - p_now) / min(result.kr_ess[k], n)),
                   expected_score_now=float(scores[:, k].mean()), ess=float(result.kr_ess[k]))
        lo, mid, hi = np.quantile(quarter[k], [0.1, 0.5, 0.9])
        row.update(p10_now=lo, p50_now=mid, p90_now=hi)
        row.update(_notes(plan, kr.id, result.as_of_week))
        rows.append(row)
    return pd.DataFrame(rows)


def _notes(plan: Plan, kr_id: str, week: int) -> dict[str, str]:
    rows = sorted((a for a in plan.actuals if a.kr == kr_id and a.week <= week),
                  key=lambda a: a.week)
    latest = rows[-1] if rows else None
    notes = "; ".join(f"week {a.week}: {a.note}" for a in rows if a.note)
    return {"confidence": latest.confidence if latest and latest.confidence else "",
            "notes": notes}


def initiative_table(result: Conditioned, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per initiative: are the KRs it feeds behind, what the actuals say about its lift, and
    a keep / modify / discard suggestion with its reason.

    Rules: *discard* when every KR it feeds is behind (below its band, or P(hit) now more
    than two standard errors under plan) and the actuals put its lift under 60% of the
    plan's; *modify* when a KR it feeds is behind or its lift is under 80%; *keep*
    otherwise. An initiative with no effect of its own (an enabler) is kept.
    """
    plan = result.plan
    table = checkin_table(result) if table is None else table
    behind = {r.kr: r.flag == "below" or r.p_hit_now < r.p_hit_plan - 2 * max(
        r.p_hit_now_se, r.p_hit_plan_se) for r in table.itertuples()}
    cp = CompiledPlan(plan)
    prior_mean = result.prior_lift.mean(axis=1)
    posterior_mean = result.lift.mean(axis=1)
    rows = []
    for i, ini in enumerate(plan.initiatives):
        effects = np.flatnonzero(cp.effect_initiative == i)
        feeds = [cp.kr_ids[cp.effect_kr[e]] for e in effects]
        late = [kr for kr in feeds if behind[kr]]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios = posterior_mean[effects] / prior_mean[effects]
        ratio = float(np.nanmean(ratios)) if effects.size else np.nan
        if not effects.size:
            suggestion, reason = "keep", "keep: an enabler with no key result of its own"
        elif late and len(late) == len(feeds) and ratio < 0.6:
            suggestion = "discard"
            reason = (f"discard: {', '.join(late)} behind and the actuals suggest it delivers "
                      f"{ratio:.0%} of its planned lift")
        elif late or ratio < 0.8:
            suggestion = "modify"
            what = f"{', '.join(late)} behind" if late else "key results on track"
            reason = f"modify: {what}; the actuals suggest {ratio:.0%} of its planned lift"
        else:
            suggestion = "keep"
            reason = (f"keep: {', '.join(feeds)} on track; the actuals suggest {ratio:.0%} of "
                      "its planned lift")
        rows.append({"initiative": ini.id, "name": ini.name, "feeds": ", ".join(feeds),
                     "behind": ", ".join(late), "lift_vs_plan": ratio,
                     "suggestion": suggestion, "reason": reason})
    return pd.DataFrame(rows)
