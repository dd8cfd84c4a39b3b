"""``schema``: JSON Schema for the YAML files, for editors that validate as you type."""

from __future__ import annotations

from pathlib import Path

from ..scaffold import SCHEMA_DIR, write_schemas


def schema(root: Path, out_dir: Path | None = None) -> list[Path]:
    return write_schemas(out_dir or Path(root) / SCHEMA_DIR)
