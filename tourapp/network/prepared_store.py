"""The shortest-path trees of a prepared network, saved beside the graph cache and mapped back.

Preparing a network (:class:`~.shortest_paths.PreparedNetwork`) runs two Dijkstra searches
from every stop over the whole city: the better part of a second on 50,000 nodes, many
seconds on a million, and every worker of the app would pay it at start-up and hold its own
copy of the trees. The trees depend only on the graph, the stops' positions and the routing
settings, so the first process to prepare saves them in a file beside the graph cache
(``<cache>.prepared-<digest>``, the digest naming all of that), and every later one maps the
file: start-up is a few milliseconds, and the workers of one machine share the pages.

The file is an uncompressed ``.npz`` written like the graph cache (atomically, NumPy arrays
only, no pickles). One that is missing, of another format, made for other stops or settings,
or malformed is ignored: the trees are computed again and the file rewritten. A file that
cannot be written (a read-only cache directory) costs start-up time, never the service.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .graph_cache import map_members, write_npz_atomically

log = logging.getLogger("tourapp.network")

#: Bump when the arrays saved change meaning; older files are then ignored.
PREPARED_FORMAT = 1


def store_path(cache_path: Path, identity: Mapping[str, Any]) -> Path:
    """Where the trees for ``identity`` (graph, places, settings) are kept, beside the cache."""
    text = json.dumps({**identity, "format": PREPARED_FORMAT}, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return cache_path.with_name(f"{cache_path.name}.prepared-{digest}")


def load(path: Path, identity: Mapping[str, Any],
         shapes: Mapping[str, tuple[tuple[int, ...], str]]) -> dict[str, np.ndarray] | None:
    """The arrays saved for ``identity``, memory-mapped; ``None`` when there is no sound file.

    ``shapes`` says what each array must be: ``(shape, dtype name)``.
    """
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta != {**identity, "format": PREPARED_FORMAT}:
                log.info("prepared trees %s were made for another graph or other stops", path.name)
                return None
            arrays = map_members(fh, data.zip, list(shapes))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        log.warning("unusable prepared trees %s (%s: %s); computing them again",
                    path.name, exc.__class__.__name__, exc)
        return None
    for name, (shape, dtype) in shapes.items():
        if arrays[name].shape != shape or str(arrays[name].dtype) != dtype:
            log.warning("unusable prepared trees %s: %s is %s%s, want %s%s; computing them again",
                        path.name, name, arrays[name].dtype, list(arrays[name].shape), dtype, list(shape))
            return None
    return arrays


def save(path: Path, identity: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    """Write the arrays atomically, and remove trees saved earlier for the same graph cache.

    A failure is logged, not raised: without the file the next start computes the trees.
    """
    members = {"meta": np.array(json.dumps({**identity, "format": PREPARED_FORMAT}, sort_keys=True)),
               **arrays}
    try:
        write_npz_atomically(path, members)
        stem = path.name.rsplit(".prepared-", 1)[0]
        for old in path.parent.glob(f"{stem}.prepared-*"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not save prepared trees %s (%s); the next start computes them again",
                    path, exc)
