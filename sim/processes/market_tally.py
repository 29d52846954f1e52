"""What the social-organisation market counted in one replication: the plain-data tally
that `sim.metrics.market` reduces (projects, bids, hours, entries and exits, quality, the
outsourced stages offered, taken and got right first time, the contractors' hours)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.social_orgs import SocialOrgs


@dataclass(frozen=True)
class MarketTally:
    """What the market counted, per year of the run, and the organisations at its end.

    Attributes
    ----------
    years : int
        Years of the run (a last partial year counts).
    listed, bids, awarded : ndarray
        Projects listed, bids taken and projects awarded, per year.
    hours, spend : ndarray
        Hours granted and yuan spent on awarded projects, per year.
    granted_minutes, used_minutes : ndarray
        Minutes for personalised needs granted and used, per year.
    entered, exited : ndarray
        Organisations entering and exiting, per year.
    quality_listed, quality_holders : ndarray
        Mean quality of the bidders, and of the winners, at each listing.
    offered, met : ndarray
        Outsourced stages offered to the market, and got right first time by a provider
        (organisation or contractor), per year.
    offered_after, met_after : int
        The same after the warm-up.
    taken : ndarray
        Of the offered, those a provider took, per year.
    taken_after : int
        The same after the warm-up.
    org_taken, org_met : ndarray
        The stages organisations took, and got right first time, per year.
    contract_hours, contract_spend : ndarray
        Hours and yuan of the contractors' (untendered) projects, per year.
    contract_minutes, contract_used : ndarray
        The contractors' minutes for outsourced stages granted and used, per year (the
        organisations' are ``granted_minutes`` and ``used_minutes``).
    orgs : SocialOrgs
        Every organisation that ever registered, as at the end of the run.
    """

    years: int
    listed: np.ndarray
    bids: np.ndarray
    awarded: np.ndarray
    hours: np.ndarray
    spend: np.ndarray
    granted_minutes: np.ndarray
    used_minutes: np.ndarray
    entered: np.ndarray
    exited: np.ndarray
    quality_listed: np.ndarray
    quality_holders: np.ndarray
    offered: np.ndarray
    met: np.ndarray
    offered_after: int
    met_after: int
    taken: np.ndarray
    taken_after: int
    org_taken: np.ndarray
    org_met: np.ndarray
    contract_hours: np.ndarray
    contract_spend: np.ndarray
    contract_minutes: np.ndarray
    contract_used: np.ndarray
    orgs: SocialOrgs
