"""Settings: documented defaults, overridable from TOURAPP_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_a_bad_value_names_the_setting():
    with pytest.raises(DataFileError, match=r"snap_limit_m: cannot read 'far' as float"):
        Settings.from_env({"TOURAPP_SNAP_LIMIT_M": "far"})


def test_settings_are_hashable_so_results_can_be_cached_per_settings():
    assert hash(Settings()) == hash(Settings())
