"""The street graph's cache file: plain arrays in an ``.npz``, written atomically and canonically.

Why this format: arrays load in milliseconds (GraphML takes seconds for a city) and NumPy
reads them with ``allow_pickle=False``, so a tampered file cannot run code the way a pickle
would. Why so careful:

* a cache is written to a temporary file and renamed over the old one, so a crash or a full
  disk mid-write leaves the previous cache as it was, never half a file;
* the bytes depend only on the network: members in a fixed order, fixed zip timestamps and
  attributes, metadata as sorted JSON. Two instances that build from the same OSM file ship
  byte-identical caches (and so serve the same routes), and a digest of the file names it;
* a file that is truncated, corrupt, of another format or inconsistent is refused with a
  :class:`CacheUnreadable` naming the reason; callers log it and rebuild or go without.

Why memory-mapped: the members are stored uncompressed, so each array is read in place
(:func:`map_members`) instead of copied. Loading costs milliseconds whatever the size of the
city, a worker reads only the pages a request touches, and workers on one machine share
those pages instead of holding a copy each. The snap index (:mod:`.snapping`) is saved with
the graph for the same reason: a worker finds it ready instead of building it.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import numpy as np

from ..settings import Settings
from .snapping import INDEX_ARRAYS, SnapIndex
from .street_graph import StreetNetwork

#: Bump when the arrays saved in the cache change meaning or order; older cache files are
#: then ignored (their names differ, see :func:`cache_file`). 4: canonical node/edge order;
#: 5: the snap index saved with the graph.
CACHE_FORMAT = 5

#: The zip timestamp of every member: the earliest a zip can hold, so that it never varies.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

#: What each array must be, checked on load: ``(dtype kind, item size)``.
_DTYPES: Mapping[str, tuple[str, int]] = {
    "node_lat": ("f", 8), "node_lon": ("f", 8), "edge_u": ("i", 4), "edge_v": ("i", 4),
    "edge_length_m": ("f", 8), "edge_name": ("i", 4), "edge_kind": ("i", 4),
    "geom_start": ("i", 8), "geom_lat": ("f", 8), "geom_lon": ("f", 8), "geom_cum_m": ("f", 8),
}


class CacheUnreadable(ValueError):
    """A cache file that cannot be used; the message says which file and why."""


def cache_file(settings: Settings, source_key: str) -> Path:
    """Where the graph for ``source_key`` is cached: a digest keeps file names short and safe."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{source_key}".encode()).hexdigest()[:20]
    return Path(settings.cache_dir) / f"walk-network-{digest}.npz"


def save_network(net: StreetNetwork, path: Path) -> None:
    """Write ``net`` to ``path`` atomically, as bytes that depend on nothing but ``net``.

    Raises
    ------
    OSError
        If the file cannot be written; whatever was at ``path`` before is left untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    members: dict[str, np.ndarray] = {
        "names": np.array(net.names, dtype=str),
        "kinds": np.array(net.kinds, dtype=str),
        "meta": np.array(json.dumps({**net.meta, "format": CACHE_FORMAT}, sort_keys=True)),
        **{name: getattr(net, name) for name in StreetNetwork.ARRAYS},
        **net.snap_index().arrays,
    }
    write_npz_atomically(path, members)


def write_npz_atomically(path: Path, members: Mapping[str, np.ndarray]) -> None:
    """Write ``members`` to ``path`` as a deterministic npz, all or nothing.

    The bytes go to a temporary file in the same folder, are synced, then renamed over
    ``path``: a crash or a full disk mid-write leaves the old file as it was.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_npz(fh, members)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fingerprint(path: Path) -> str:
    """What the cache holds, in a few hex digits: a digest of its members' CRC-32s and sizes.

    Read from the zip's directory, so it costs nothing whatever the file's size; it names
    the data a computation was made from (:mod:`.prepared_store`).
    """
    with zipfile.ZipFile(path) as zf:
        listing = sorted(f"{i.filename}:{i.CRC:08x}:{i.file_size}" for i in zf.infolist())
    return hashlib.sha256("|".join(listing).encode()).hexdigest()[:20]


def map_members(fh: IO[bytes], zf: zipfile.ZipFile, names: list[str]) -> dict[str, np.ndarray]:
    """Arrays of an ``.npz`` read in place: read-only views of a memory map of the file.

    A member that is compressed (not one this module writes) is read the ordinary way.

    Raises
    ------
    ValueError
        If a member's header is not an array's, holds objects or runs past the end of the file.
    """
    size = os.fstat(fh.fileno()).st_size
    whole = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else None
    out: dict[str, np.ndarray] = {}
    for name in names:
        info = zf.getinfo(f"{name}.npy")
        if info.compress_type != zipfile.ZIP_STORED or whole is None:
            with zf.open(info) as member:
                out[name] = np.lib.format.read_array(member, allow_pickle=False)
            continue
        fh.seek(info.header_offset)
        local = fh.read(30)
        if local[:4] != b"PK\x03\x04":
            raise ValueError(f"member {name} has no local header")
        fh.seek(info.header_offset + 30 + int.from_bytes(local[26:28], "little")
                + int.from_bytes(local[28:30], "little"))
        version = np.lib.format.read_magic(fh)
        reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                  else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = reader(fh)
        if dtype.hasobject:
            raise ValueError(f"member {name} holds Python objects")
        count = int(np.prod(shape, dtype=np.int64))
        offset = fh.tell()
        if offset + count * dtype.itemsize > size:
            raise ValueError(f"member {name} runs past the end of the file")
        array = np.frombuffer(whole, dtype=dtype, count=count, offset=offset)
        out[name] = array.reshape(shape, order="F" if fortran else "C")
    return out


def _write_npz(fh: IO[bytes], members: Mapping[str, np.ndarray]) -> None:
    """An uncompressed ``.npz`` (what ``np.savez`` writes) with fixed order, times and modes."""
    with zipfile.ZipFile(fh, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in members.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_EPOCH)
            info.create_system = 3  # unix, whatever the platform
            info.external_attr = 0o644 << 16
            with zf.open(info, mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)


def load_network_file(path: Path) -> StreetNetwork:
    """Read a cache file written by :func:`save_network`, checking that it is sound.

    Raises
    ------
    CacheUnreadable
        If the file cannot be read, is not an ``.npz`` of the current :data:`CACHE_FORMAT`, or
        its arrays do not fit together (a truncated or tampered file).
    """
    try:
        # an open file of our own: np.load leaks the one it opens when the zip is unreadable
        with path.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if not isinstance(meta, dict) or meta.get("format") != CACHE_FORMAT:
                found = meta.get("format") if isinstance(meta, dict) else None
                raise CacheUnreadable(f"{path}: cache format {found!r}, want {CACHE_FORMAT}")
            names = [str(n) for n in data["names"].tolist()]
            kinds = [str(k) for k in data["kinds"].tolist()]
            mapped = map_members(fh, data.zip, [*StreetNetwork.ARRAYS, *INDEX_ARRAYS])
        arrays = {name: mapped[name] for name in StreetNetwork.ARRAYS}
        index = {name: mapped[name] for name in INDEX_ARRAYS}
        stamp = fingerprint(path)
    except CacheUnreadable:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise CacheUnreadable(f"{path}: {exc.__class__.__name__}: {exc}") from exc
    problem = (_inconsistency(arrays, len(names), len(kinds))
               or SnapIndex.inconsistency(index, len(arrays["geom_lat"])))
    if problem:
        raise CacheUnreadable(f"{path}: {problem}")
    net = StreetNetwork(names=names, kinds=kinds, meta=meta, **arrays)
    net.use_snap_index(SnapIndex(net, index))
    net.cache_path, net.fingerprint = path, stamp
    return net


def _inconsistency(arrays: Mapping[str, np.ndarray], n_names: int, n_kinds: int) -> str:
    """What is wrong with a set of arrays read back from a cache, or ``""``."""
    for name, (kind, size) in _DTYPES.items():
        array = arrays[name]
        if array.ndim != 1 or array.dtype.kind != kind or array.dtype.itemsize != size:
            return f"{name} is {array.dtype}{list(array.shape)}, want a 1-D {kind}{size}"
    n_nodes, n_edges, n_vertices = len(arrays["node_lat"]), len(arrays["edge_u"]), len(arrays["geom_lat"])
    sizes = {"node_lon": n_nodes, "edge_v": n_edges, "edge_length_m": n_edges,
             "edge_name": n_edges, "edge_kind": n_edges, "geom_start": n_edges + 1,
             "geom_lon": n_vertices, "geom_cum_m": n_vertices}
    for name, want in sizes.items():
        if len(arrays[name]) != want:
            return f"{name} has {len(arrays[name])} entries, want {want}"
    start = arrays["geom_start"]
    checks: list[tuple[bool, str]] = [
        (bool(start[0] == 0 and start[-1] == n_vertices), "geometry offsets do not span the vertices"),
        (bool(np.all(np.diff(start) >= 2)), "an edge has fewer than two vertices"),
        (_in_range(arrays["edge_u"], n_nodes) and _in_range(arrays["edge_v"], n_nodes),
         "an edge names a node that does not exist"),
        (_in_range(arrays["edge_name"], n_names) and _in_range(arrays["edge_kind"], n_kinds),
         "an edge names a missing street name or kind"),
        (all(bool(np.all(np.isfinite(arrays[n]))) for n in _DTYPES if arrays[n].dtype.kind == "f"),
         "a coordinate or length is not a finite number"),
    ]
    return next((message for ok, message in checks if not ok), "")


def _in_range(indices: np.ndarray, size: int) -> bool:
    return not indices.size or (int(indices.min()) >= 0 and int(indices.max()) < size)
