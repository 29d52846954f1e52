"""Who takes part in a consultation when asked, and why the others do not, as pure functions.

A resident asked to a consultation takes part when they are *willing* (age, party
membership, education, interest in the matter, trust in the community; a resident
disappointed by an earlier consultation is not) and *reached*: free at the meeting's time
(availability, by occupation) or reached by a visit, a written or an online consultation
(`sim.rules.consultation.attendance_channel`). Those who do not come give one reason, as
003's residents did: disappointment (9% of those unwilling to take part, 003), no interest,
or no time (the young and middle-aged say they are too busy, 003).

Disappointment is a two-state process for each resident: while not disappointed they take
part at some rate, each time let down with some chance (the outcome not carried out) and
disappointed then; they get over it at the recovery rate. Residents start in that process's
steady state (`steady_disappointment`), so nothing about the 9% is typed in.
"""

from __future__ import annotations

import math

import numpy as np

CAME, DISAPPOINTED, UNWILLING, BUSY = 0, 1, 2, 3
REASONS = ("came", "disappointed", "unwilling", "busy")


def willingness(
    by_age: np.ndarray,
    party: np.ndarray,
    party_odds_ratio: float = 1.0,
    education_odds: np.ndarray | float = 1.0,
    interested: np.ndarray | bool = False,
    interest_odds_ratio: float = 1.0,
    trust: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Chance each asked resident wants to take part.

    The chance of the resident's age band, its odds multiplied by the party member's odds
    ratio, the education level's odds ratio and the interested resident's odds ratio, and
    ``trust`` added to its log-odds.

    Parameters
    ----------
    by_age : ndarray of float
        Chance for the resident's age band (in [0, 1]).
    party : ndarray of bool
        Party members.
    party_odds_ratio, interest_odds_ratio : float
        Odds ratios of party members and of residents the matter touches.
    education_odds : ndarray or float
        Odds ratio of each resident's education level.
    interested : ndarray of bool or bool
        Residents the matter touches (of its own grid).
    trust : ndarray or float
        Log-odds added for trust in the community.
    """
    p = np.clip(np.asarray(by_age, dtype=float), 0.0, 1.0)
    with np.errstate(divide="ignore"):
        logit = np.log(p) - np.log1p(-p)
    logit = logit + np.where(np.asarray(party, dtype=bool), math.log(party_odds_ratio), 0.0)
    logit = logit + np.log(np.asarray(education_odds, dtype=float))
    logit = logit + np.where(np.asarray(interested, dtype=bool), math.log(interest_odds_ratio), 0)
    logit = logit + np.asarray(trust, dtype=float)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-logit))


def reasons(
    u_willing: np.ndarray, p_willing: np.ndarray, reached: np.ndarray, disappointed: np.ndarray
) -> np.ndarray:
    """What each asked resident does: `CAME`, or the reason they give for not coming.

    A disappointed resident refuses (`DISAPPOINTED`) whatever else; one not willing
    (``u_willing >= p_willing``) says they are not interested (`UNWILLING`); a willing one
    not reached by any channel has no time (`BUSY`).
    """
    willing = np.asarray(u_willing) < np.asarray(p_willing)
    out = np.full(np.shape(u_willing), BUSY, dtype=np.int8)
    out[willing & np.asarray(reached, dtype=bool)] = CAME
    out[~willing] = UNWILLING
    out[np.asarray(disappointed, dtype=bool)] = DISAPPOINTED
    return out


def steady_disappointment(
    rate: np.ndarray, let_down: float, probability: float, recovery_per_year: float
) -> np.ndarray:
    """Chance each resident is disappointed in the steady state of taking part and getting
    over it.

    A resident not disappointed takes part ``rate`` times a year; each time the outcome is
    not carried out with chance ``let_down`` and they are then disappointed with chance
    ``probability``; they recover at ``recovery_per_year``. The steady share of a two-state
    process with rates λ = rate · let_down · probability out and μ = recovery back is
    λ / (λ + μ); without recovery every resident who ever takes part ends disappointed.
    """
    lam = np.asarray(rate, dtype=float) * let_down * probability
    if recovery_per_year <= 0.0:
        return np.where(lam > 0.0, 1.0, 0.0)
    return lam / (lam + recovery_per_year)


def let_down_chance(
    base: float,
    funds: float,
    needs_funds: float,
    departments_mean: float,
    department_penalty: float,
    linkage_carry: float,
    consensus: float,
) -> float:
    """Chance a matter's participants see no outcome carried out, on average over the
    matters of a kind: no consensus, or an agreed outcome not carried out
    (`sim.rules.consultation.implementation_probability` averaged over the share needing
    funds and the Poisson number of departments)."""
    mu, pen = departments_mean, department_penalty
    # E[pen ** max(D - 1, 0)] for D ~ Poisson(mu)
    if pen > 0.0:
        dept = math.exp(-mu) + math.exp(-mu) / pen * (math.exp(mu * pen) - 1.0)
    else:
        dept = math.exp(-mu) * (1.0 + mu)
    p = base * (1.0 - needs_funds + needs_funds * funds) * dept
    p = p + (1.0 - p) * linkage_carry
    return 1.0 - consensus * p
