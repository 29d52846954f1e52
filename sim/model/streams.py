"""Random streams, the model's dice: one root seed, a seed per replication, one per stream.

Every source of randomness in a run (who the residents are, when demands arrive, how long a
service takes, where a file goes next, when departments push tasks down) draws from its own
`numpy.random.Generator`. Each is derived from the root seed with
``SeedSequence(root, spawn_key=(replication, stream))``, which is exactly what
``SeedSequence(root).spawn`` would hand out, but addressable by name. Two scenarios run with the
same root seed therefore see the same residents and the same demands (common random numbers),
whatever the order or the process in which replications run.
"""

from __future__ import annotations

import numpy as np

# The numbers are spawn keys: never renumber or reuse one (2 and 3, once "service" and
# "routing", are retired: a demand's service and routing draws come from its own row of
# uniforms in the arrivals stream), so every stream keeps its draws across versions.
STREAMS: dict[str, int] = {
    "population": 0,
    "arrivals": 1,
    "tasks": 4,
    "fallback": 5,
    # governance mechanisms: streams of their own, so switching one on leaves the rest alone
    "consultation": 6,
    "market": 7,
    "burden": 8,
    "evaluation": 9,
    "temporary_orgs": 10,
}


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """Return the generator of one named stream of one replication.

    Parameters
    ----------
    seed : int
        The experiment's root seed.
    replication : int
        Replication index, from 0.
    name : str
        One of `STREAMS`.
    """
    key = (replication, STREAMS[name])
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def substream(rng: np.random.Generator, *key: int) -> np.random.Generator:
    """A generator derived from `rng`'s seed by extending its spawn key with `key`.

    Sub-streams are addressed, not spawned in turn: the stream of (type, community) is the
    same whatever other types or communities a scenario has.
    """
    seq = rng.bit_generator.seed_seq
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, *key)))
    )
