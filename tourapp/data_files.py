"""Reading the app's JSON data files (stops, tours): one place that turns a missing, unreadable
or malformed file into a :class:`~tourapp.errors.DataFileError` naming the file, so start-up
stops with a message a maintainer can act on rather than a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import DataFileError


def read_data_file(path: Path, what: str) -> Any:
    """The decoded JSON of the ``what`` file (``"stops"``, ``"tours"``) at ``path``.

    Raises
    ------
    DataFileError
        Naming the path: when the file is missing or cannot be read, is not UTF-8 text, or is
        not JSON.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(f"{path}: {what} file not found") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: not valid JSON ({exc})") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read the {what} file ({exc.strerror or exc})") from None
