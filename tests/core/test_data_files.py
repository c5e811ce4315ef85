"""Reading a data file: a file that is missing, unreadable or not JSON stops start-up with a
message naming the file, never a bare traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tourapp.data_files import read_data_file
from tourapp.errors import DataFileError


def test_the_json_of_a_data_file_is_returned_as_decoded(tmp_path: Path) -> None:
    path = tmp_path / "tours.json"
    path.write_text('{"version": 1, "tours": ["Café"]}', encoding="utf-8")
    assert read_data_file(path, "tours") == {"version": 1, "tours": ["Café"]}


@pytest.mark.parametrize(("content", "message"), [
    (None, r"stops.json: stops file not found"),
    (b"{not json", r"stops.json: not valid JSON \(Expecting property name"),
    (b'{"name": "Caf\xe9"}', r"stops.json: not UTF-8 text \(byte 13\)"),
    ("directory", r"stops.json: cannot read the stops file \(Is a directory\)"),
])
def test_a_broken_data_file_is_refused_naming_it(tmp_path: Path, content: bytes | str | None,
                                                message: str) -> None:
    path = tmp_path / "stops.json"
    if content == "directory":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(DataFileError, match=message):
        read_data_file(path, "stops")
