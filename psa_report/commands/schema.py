"""``schema``: JSON Schema for the YAML files, for editors that validate as you type."""

from __future__ import annotations

from pathlib import Path

from ..scaffold import SCHEMA_DIR, write_schemas
from ..shape import read_shape


def schema(root: Path, out_dir: Path | None = None) -> list[Path]:
    """The JSON Schemas for an editor: report.yaml's, agencies.yaml's, indicators', and one
    per kind of the plan's shape (actions/plan.yaml's, or the shipped default's; a
    mistake in plan.yaml is reported at its line)."""
    return write_schemas(out_dir or Path(root) / SCHEMA_DIR, read_shape(Path(root)))
