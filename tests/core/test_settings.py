"""Settings: documented defaults, overridable from TOURAPP_* variables."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
from helpers import REPO

from tourapp.errors import DataFileError
from tourapp.settings import DEFAULT_TILE_URL, Settings


def test_defaults_use_openstreetmap_tiles_with_attribution():
    settings = Settings()
    assert settings.tile_url == DEFAULT_TILE_URL
    assert "OpenStreetMap" in settings.tile_attribution
    assert settings.osm_file is None


def test_environment_overrides_are_converted_to_each_fields_type():
    settings = Settings.from_env(
        {
            "TOURAPP_TILE_URL": "https://tiles.example/{z}/{x}/{y}.png",
            "TOURAPP_CACHE_DIR": "/tmp/montage-cache",
            "TOURAPP_NETWORK_DOWNLOAD": "no",
            "TOURAPP_SNAP_LIMIT_M": "90",
        }
    )
    assert settings.tile_url.startswith("https://tiles.example")
    assert settings.cache_dir == Path("/tmp/montage-cache")
    assert settings.network_download is False
    assert settings.snap_limit_m == 90.0


def _documented() -> list[tuple[str, str]]:
    """(variable, default as the README writes it) for each row of the README's settings table."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    found = []
    for row in section.splitlines():
        cells = row.split("|")[1:-1]
        if len(cells) < 3:
            continue
        names = re.findall(r"`(TOURAPP_\w+)`", cells[0])
        defaults = re.findall(r"`([^`]*)`", cells[1])
        for i, name in enumerate(names):
            found.append((name, defaults[i] if len(names) == len(defaults) else cells[1].strip()))
    return found


DOCUMENTED = _documented()


def _other_value(name: str, default: str) -> tuple[str, object]:
    """A value for ``name`` unlike its default, and the setting a user expects it to give."""
    if default in {"true", "false"}:
        return ("no", False) if default == "true" else ("yes", True)
    if re.fullmatch(r"\d+", default):  # a count, a port: stays an integer
        return str(int(default) * 2 + 1), int(default) * 2 + 1
    if re.fullmatch(r"\d+(\.\d+)?", default):
        return str(float(default) * 2 + 1), float(default) * 2 + 1
    if name.endswith(("_DIR", "_FILE")):
        return "/srv/montage/elsewhere", Path("/srv/montage/elsewhere")
    return "https://tiles.example/{z}/{x}/{y}.png?from=test", "https://tiles.example/{z}/{x}/{y}.png?from=test"


def _changes(settings: Settings) -> dict[str, object]:
    default = Settings()
    return {f.name: getattr(settings, f.name) for f in fields(Settings)
            if f.compare and getattr(settings, f.name) != getattr(default, f.name)}


def test_the_readme_documents_the_settings():
    assert len(DOCUMENTED) >= 8, DOCUMENTED  # the table was found and read


@pytest.mark.parametrize(("name", "default"), DOCUMENTED, ids=[name for name, _ in DOCUMENTED])
def test_each_variable_the_readme_documents_changes_exactly_its_setting(name, default):
    value, expected = _other_value(name, default)
    changed = _changes(Settings.from_env({name: value}))
    assert list(changed.values()) == [expected], changed


@pytest.mark.parametrize(("name", "default"), DOCUMENTED, ids=[name for name, _ in DOCUMENTED])
def test_a_variable_set_to_nothing_keeps_the_documented_default(name, default):
    assert _changes(Settings.from_env({name: ""})) == {}


NUMBERS_AND_SWITCHES = [(name, default) for name, default in DOCUMENTED
                        if default in {"true", "false"} or re.fullmatch(r"\d+(\.\d+)?", default)]


@pytest.mark.parametrize("name", [name for name, _ in NUMBERS_AND_SWITCHES])
def test_a_bad_value_is_refused_naming_the_variable_and_the_value(name):
    with pytest.raises(DataFileError) as refused:
        Settings.from_env({name: "lots"})
    assert name in str(refused.value) and "'lots'" in str(refused.value)


@pytest.mark.parametrize(("name", "value"), [
    ("TOURAPP_RUN_PACE_S_PER_KM", "nan"),
    ("TOURAPP_RUN_PACE_S_PER_KM", "0"),
    ("TOURAPP_WALK_PACE_S_PER_KM", "1e9"),
    ("TOURAPP_WALK_PACE_S_PER_KM", "119"),
    ("TOURAPP_GEOCODER_TIMEOUT_S", "inf"),
    ("TOURAPP_GEOCODER_TIMEOUT_S", "0"),
    ("TOURAPP_OVERPASS_TIMEOUT_S", "-5"),
    ("TOURAPP_SNAP_LIMIT_M", "-1"),
    ("TOURAPP_SNAP_LIMIT_M", "0"),
    ("TOURAPP_SNAP_LIMIT_M", "nan"),
    ("TOURAPP_PORT", "99999"),
    ("TOURAPP_PORT", "0"),
    ("TOURAPP_WORKERS", "-1"),
    ("TOURAPP_WORKER_TIMEOUT_S", "0"),
    ("TOURAPP_GRACEFUL_TIMEOUT_S", "-30"),
    ("TOURAPP_MAX_REQUESTS", "-1"),
    ("TOURAPP_TILE_MAX_ZOOM", "-1"),
])
def test_a_value_out_of_range_stops_start_up_naming_the_variable(name, value):
    with pytest.raises(DataFileError, match=f"setting {name}: .* is out of range"):
        Settings.from_env({name: value})


@pytest.mark.parametrize(("name", "value"), [
    ("TOURAPP_RUN_PACE_S_PER_KM", "120"), ("TOURAPP_WALK_PACE_S_PER_KM", "1800"),
    ("TOURAPP_GEOCODER_TIMEOUT_S", "0.5"), ("TOURAPP_PORT", "1"), ("TOURAPP_PORT", "65535"),
    ("TOURAPP_WORKERS", "0"), ("TOURAPP_MAX_REQUESTS", "0"),
])
def test_the_ends_of_each_range_are_accepted(name, value):
    Settings.from_env({name: value})


def test_overrides_in_code_are_checked_too():
    with pytest.raises(DataFileError, match="TOURAPP_PORT"):
        Settings().with_overrides({"port": 99999})
    with pytest.raises(DataFileError, match="TOURAPP_RUN_PACE_S_PER_KM"):
        Settings(run_pace_s_per_km=float("nan"))
