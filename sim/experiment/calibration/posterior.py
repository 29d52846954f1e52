"""What the field patterns say about the assumptions: the posterior sample, stored so that it
can be checked, reloaded and drawn from (``compare --posterior``).

Layout of a calibration folder::

    calibration.toml, targets.toml   copies of the calibration file and its targets file
    calibration.db                   pyabc's database: every generation (a rerun resumes)
    posterior.parquet                the last generation: one row per particle, a column
                                     per parameter, ``weight`` (summing to 1), ``distance``
    predictive.parquet               per particle and target: the model's value (``model``)
                                     beside the observation and its band
    diagnostics.csv                  per generation: epsilon, particles, evaluations,
                                     acceptance rate, effective sample size
    hash.json                        the calibration's identity (files and settings), the
                                     pyabc run id, and the SHA-256 of every file above
    prior_posterior.png, predictive.png, epsilon.png

Every file is written under a temporary name and renamed into place, ``hash.json`` last: a
folder whose files do not match it (changed by hand, or half-written) is refused.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.calibration.priors import AbcSettings, Calibration, Parameter, parse_parameters
from sim.experiment.store import atomic_write_frame, atomic_write_text
from sim.scenario import ScenarioError

HASH = "hash.json"
COPY, TARGETS_COPY = "calibration.toml", "targets.toml"
POSTERIOR, PREDICTIVE, DIAGNOSTICS = "posterior.parquet", "predictive.parquet", "diagnostics.csv"
FILES = (COPY, TARGETS_COPY, POSTERIOR, PREDICTIVE, DIAGNOSTICS)


@dataclass(frozen=True)
class Posterior:
    """A finished calibration, read back and checked.

    Attributes
    ----------
    folder : Path
    parameters : list of Parameter
        The priors, from the stored copy of the calibration file.
    particles : DataFrame
        ``particle``, ``generation``, one column per parameter, ``weight``, ``distance``.
    predictive : DataFrame
        ``particle, weight, target, metric, demand_type, observed, low, high, model``.
    diagnostics : DataFrame
        Per generation (`sim.experiment.calibration.abc.diagnostics`).
    identity : str
        The calibration's identity (`identity`).
    """

    folder: Path
    parameters: list[Parameter]
    particles: pd.DataFrame
    predictive: pd.DataFrame
    diagnostics: pd.DataFrame
    identity: str

    @property
    def names(self) -> list[str]:
        """Parameter names."""
        return [p.name for p in self.parameters]

    def interval(self, name: str, level: float = 0.95) -> tuple[float, float]:
        """The central credible interval of one parameter (weighted quantiles)."""
        lo = (1 - level) / 2
        x, w = self.particles[name].to_numpy(), self.particles["weight"].to_numpy()
        return weighted_quantile(x, w, lo), weighted_quantile(x, w, 1 - lo)

    def predictive_table(self) -> pd.DataFrame:
        """Per target: the observation and band, the posterior predictive median and 90%
        interval of the model's value, and whether the median falls in the band."""
        rows = []
        for name, g in self.predictive.groupby("target", sort=False):
            t = g.iloc[0]
            ok = g["model"].notna()
            x, w = g.loc[ok, "model"].to_numpy(), g.loc[ok, "weight"].to_numpy()
            q = [weighted_quantile(x, w, p) if ok.any() else np.nan for p in (0.5, 0.05, 0.95)]
            inside = (pd.isna(t["low"]) or q[0] >= t["low"]) and (
                pd.isna(t["high"]) or q[0] <= t["high"]
            )
            band = (t["observed"], t["low"], t["high"])
            rows.append((name, t["metric"], t["demand_type"], *band, *q, bool(inside)))
        cols = ["target", "metric", "demand_type", "observed", "low", "high"]
        return pd.DataFrame(rows, columns=[*cols, "median", "q05", "q95", "in_band"])

    def overrides(self, drawn: pd.DataFrame) -> list[dict[str, Any]]:
        """Each row of `drawn` (from `draws`) as ``--set`` overrides by scenario key."""
        rows = drawn.to_dict("records")
        return [{p.key: p.value(row[p.name]) for p in self.parameters} for row in rows]


def identity(calibration: bytes, targets: bytes, abc: AbcSettings) -> str:
    """A short hash of what makes two calibrations the same run: the text of the calibration
    and targets files and the settings that change a generation's result (not
    ``generations``, so that a finished run can be extended)."""
    h = hashlib.sha256()
    for text in (calibration, targets):
        h.update(hashlib.sha256(text).digest())
    h.update(repr(sorted(abc.model_dump(exclude={"generations"}).items())).encode())
    return h.hexdigest()[:16]


def identity_of(cal: Calibration) -> str:
    """The `identity` of a loaded calibration (its files as they are now)."""
    return identity(cal.path.read_bytes(), cal.targets_path.read_bytes(), cal.abc)


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The `q` quantile of values `x` with weights `w` (interpolated on the weights' midpoints)."""
    order = np.argsort(x)
    x, w = np.asarray(x, dtype=float)[order], np.asarray(w, dtype=float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cum, x))


def draws(posterior: Posterior | pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """`n` sets of assumptions resampled from the posterior by weight (with replacement).

    Returns
    -------
    DataFrame
        ``draw``, ``particle`` and one column per parameter.
    """
    frame = posterior.particles if isinstance(posterior, Posterior) else posterior
    names = [c for c in frame.columns if c not in ("particle", "generation", "weight", "distance")]
    w = frame["weight"].to_numpy(dtype=float)
    idx = rng.choice(len(frame), size=n, replace=True, p=w / w.sum())
    out = frame.iloc[idx][["particle", *names]].reset_index(drop=True)
    return out.assign(draw=np.arange(n))[["draw", "particle", *names]]


def open_store(folder: Path, cal: Calibration) -> int | None:
    """Make `folder` a calibration folder, or find the run it holds.

    Returns
    -------
    int or None
        The pyabc run id to resume, or None for a new run.

    Raises
    ------
    ScenarioError
        When the folder holds another calibration (other files or settings).
    """
    folder.mkdir(parents=True, exist_ok=True)
    state = _read_hash(folder)
    db = folder / "calibration.db"
    if state is None:
        if db.exists():
            raise ScenarioError("--out", "", f"'{folder}' holds a calibration.db without {HASH}")
        _start(folder, cal)
        return None
    if state.get("identity") != identity_of(cal):
        raise ScenarioError(
            "--out",
            "",
            f"'{folder}' holds another calibration (other files or [abc] settings); "
            "choose another folder",
        )
    if state.get("run_id") is None:
        db.unlink(missing_ok=True)  # started, but no generation was recorded
        return None
    return int(state["run_id"])


def note_run(folder: Path, run_id: int) -> None:
    """Record the pyabc run id of a new calibration (before its first generation)."""
    state = _read_hash(folder) or {}
    atomic_write_text(folder / HASH, json.dumps({**state, "run_id": run_id}, indent=2))


def write_posterior(
    folder: Path,
    cal: Calibration,
    particles: pd.DataFrame,
    predictive: pd.DataFrame,
    diagnostics: pd.DataFrame,
) -> Posterior:
    """Write the posterior, its predictive and diagnostics, then `HASH` with their sums."""
    atomic_write_frame(folder / POSTERIOR, particles)
    atomic_write_frame(folder / PREDICTIVE, predictive)
    atomic_write_frame(folder / DIAGNOSTICS, diagnostics)
    state = {**(_read_hash(folder) or {}), "settings": cal.abc.model_dump()}
    state["files"] = {name: _sha(folder / name) for name in FILES}
    atomic_write_text(folder / HASH, json.dumps(state, indent=2))
    return load_posterior(folder)


def load_posterior(folder: str | Path) -> Posterior:
    """Read a calibration folder back, refusing it unless every file matches `HASH`.

    Raises
    ------
    ScenarioError
        Naming the folder's file at fault.
    """
    folder = Path(folder)
    state = _read_hash(folder)
    label = str(folder / HASH)
    if state is None:
        raise ScenarioError(str(folder), "", f"not a calibration folder (no {HASH})")
    if not state.get("files"):
        raise ScenarioError(label, "files", "the calibration has not finished (rerun to resume)")
    for name in FILES:
        if _sha(folder / name) != state["files"].get(name):
            raise ScenarioError(
                label, f"files.{name}", "does not match its checksum: changed since it was written"
            )
    copy_bytes, targets_bytes = (folder / COPY).read_bytes(), (folder / TARGETS_COPY).read_bytes()
    settings = AbcSettings.model_validate(state["settings"])
    if identity(copy_bytes, targets_bytes, settings) != state["identity"]:
        raise ScenarioError(label, "identity", "does not match the stored calibration files")
    params = parse_parameters(tomllib.loads(copy_bytes.decode("utf-8")), str(folder / COPY))
    return Posterior(
        folder,
        params,
        pd.read_parquet(folder / POSTERIOR),
        pd.read_parquet(folder / PREDICTIVE),
        pd.read_csv(folder / DIAGNOSTICS),
        state["identity"],
    )


def _start(folder: Path, cal: Calibration) -> None:
    """Copy the calibration's files into a new folder and note its identity."""
    for src, name in ((cal.path, COPY), (cal.targets_path, TARGETS_COPY)):
        tmp = folder / f".{name}.tmp"
        shutil.copyfile(src, tmp)
        tmp.replace(folder / name)
    state = {"identity": identity_of(cal), "settings": cal.abc.model_dump(), "run_id": None}
    atomic_write_text(folder / HASH, json.dumps(state, indent=2))


def _read_hash(folder: Path) -> Mapping[str, Any] | None:
    """The folder's `HASH`, or None when there is none."""
    try:
        return json.loads((folder / HASH).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise ScenarioError(str(folder / HASH), "", "unreadable") from None


def _sha(path: Path) -> str | None:
    """SHA-256 of a file (None if missing)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
