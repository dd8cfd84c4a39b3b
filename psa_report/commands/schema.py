"""``schema``: JSON Schema for the YAML files, for editors that validate as you type."""

from __future__ import annotations

from pathlib import Path

from ..output import publish
from ..scaffold import SCHEMA_DIR, json_schemas


def schema(root: Path, out_dir: Path | None = None) -> list[Path]:
    out_dir = out_dir or Path(root) / SCHEMA_DIR
    def writer(text: str):
        return lambda tmp: tmp.write_text(text, "utf-8")

    writers = {out_dir / name: writer(text) for name, text in json_schemas().items()}
    return publish(writers)
