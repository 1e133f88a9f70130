"""The package: one zip with the data files, `manifest.json` and `SHA256SUMS`, the same bytes every time.

- `manifest.json`: export id, kind, format, parameters (with the entity scope), generator name and
  version, and per file its name, format, columns, rows, bytes, SHA-256 and control totals (the sum of each
  amount column, and per currency where the file has one). Canonical JSON: sorted keys, two-space indent.
- `SHA256SUMS`: `<sha256>  <name>` per data file and for `manifest.json`, sorted by name, in the format of
  `sha256sum`, so `unzip package.zip && sha256sum -c SHA256SUMS` checks everything.
- The zip: entries listed in name order, every timestamp 1980-01-01 00:00, permissions 0644, Unix as the
  creating system, DEFLATE at level 3 (within 10% of level 6's size at less than half its time); nothing
  taken from the clock or the file system's metadata. The export id is a hash of the question (kind,
  format, parameters, scope), not a random id, so the same export of the same data is the same package,
  byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, cast

from app import __version__
from app.core.jsonable import canonical_json, to_jsonable
from app.exports.columns import DECIMAL_KINDS, Kind
from app.exports.writers import CHUNK, HashingWriter, WrittenFile, file_digest

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
GENERATOR = "GroupLedger"
MANIFEST_VERSION = 1
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_LEVEL = 3
FORMULA_NOTE = (
    "cells of text and JSON columns starting with = + - @ tab or carriage return are prefixed with an "
    "apostrophe in CSV and XLSX files; amounts, numbers and dates are never changed"
)


def export_id_for(*, kind: str, format: str, parameters: Mapping[str, Any]) -> str:
    """The id of an export: a hash of what was asked (the same question has the same id)."""
    question = canonical_json({"kind": kind, "format": format, "parameters": parameters})
    return hashlib.sha256(f"{GENERATOR}/{MANIFEST_VERSION}:{question}".encode()).hexdigest()[:32]


def _decimal_text(value: Decimal, kind: Kind) -> str:
    places = Decimal("0.0001") if kind is Kind.MONEY else Decimal("0.000000000001")
    fixed = value.quantize(places)
    return format(abs(fixed) if fixed.is_zero() else fixed, "f")


def file_entry(written: WrittenFile, *, format: str) -> dict[str, Any]:
    kinds = {c.name: c.kind for c in written.columns}

    def totals(values: Mapping[str, Decimal]) -> dict[str, str]:
        return {
            name: _decimal_text(
                amount, kinds.get(name, Kind.MONEY) if kinds.get(name) in DECIMAL_KINDS else Kind.MONEY
            )
            for name, amount in values.items()
        }

    entry: dict[str, Any] = {
        "name": written.name,
        "format": format,
        "rows": written.rows,
        "bytes": written.size,
        "sha256": written.sha256,
        "columns": [{"name": c.name, "type": c.kind.value} for c in written.columns],
        "control_totals": totals(written.totals) if written.totals else None,
    }
    if written.by_currency:
        entry["control_totals_by_currency"] = {cur: totals(v) for cur, v in written.by_currency.items()}
    return entry


def manifest_bytes(
    *,
    export_id: str,
    kind: str,
    format: str,
    parameters: Mapping[str, Any],
    files: Sequence[dict[str, Any]],
    extra: Mapping[str, Any] | None = None,
) -> bytes:
    document: dict[str, Any] = {
        "export_id": export_id,
        "kind": kind,
        "format": format,
        "parameters": to_jsonable(dict(parameters)),
        "generator": {"name": GENERATOR, "version": __version__, "manifest_version": MANIFEST_VERSION},
        "files": sorted(files, key=lambda f: str(f["name"])),
        "text_cells": FORMULA_NOTE if format in {"csv", "xlsx"} else "written unchanged",
    }
    if extra:
        document.update(to_jsonable(dict(extra)))
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8")


def sums_bytes(hashes: Mapping[str, str]) -> bytes:
    return "".join(f"{sha}  {name}\n" for name, sha in sorted(hashes.items())).encode("ascii")


@dataclass(frozen=True)
class Package:
    path: Path
    size: int
    sha256: str
    manifest_sha256: str


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    # The level is the ZipInfo's own (the public `compress_level` from Python 3.13; `_compresslevel` before).
    info._compresslevel = ZIP_LEVEL  # type: ignore[attr-defined]
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


class PackageWriter:
    """The zip, written while the data files are made: each data file is compressed as it streams (no
    second pass over a temporary copy), then `manifest.json` and `SHA256SUMS` follow. The central
    directory, which is what every tool lists, is in name order; the bytes are in the order written, the
    same every time. Data entries always carry ZIP64 sizes (their size is not known when they start).

    Use as a context manager: `finish` makes the package; leaving without it removes the partial file.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self._partial = target.with_name(target.name + ".partial")
        self._archive = zipfile.ZipFile(self._partial, "w", allowZip64=True)
        self._names: list[str] = []
        self._finished: Package | None = None

    def __enter__(self) -> PackageWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._finished is None:
            self._archive.close()
            self._partial.unlink(missing_ok=True)

    def _claim(self, name: str) -> None:
        if name in self._names or name in (MANIFEST, SUMS) or "/" in name:
            raise ValueError(f"file names must be unique, plain and not reserved: {name}")
        self._names.append(name)

    @contextmanager
    def data_file(self, name: str) -> Iterator[HashingWriter]:
        """A stream into a new entry; it hashes and counts the uncompressed bytes."""
        self._claim(name)
        with self._archive.open(_zip_info(name), "w", force_zip64=True) as entry:
            yield HashingWriter(cast(BinaryIO, entry))

    def add_path(self, name: str, path: Path) -> None:
        """A data file already written to disk (a workbook, an XML document)."""
        with path.open("rb") as source, self.data_file(name) as out:
            shutil.copyfileobj(source, out, CHUNK)

    def finish(self, *, files: Sequence[WrittenFile], manifest: bytes) -> Package:
        if sorted(f.name for f in files) != sorted(self._names):
            raise ValueError("the manifest must list exactly the data files written")
        manifest_sha = hashlib.sha256(manifest).hexdigest()
        sums = sums_bytes({**{f.name: f.sha256 for f in files}, MANIFEST: manifest_sha})
        for name, data in ((MANIFEST, manifest), (SUMS, sums)):
            self._archive.writestr(_zip_info(name), data)
        self._archive.filelist.sort(key=lambda info: info.filename)
        self._archive.close()
        os.replace(self._partial, self.target)
        size, sha = file_digest(self.target)
        self._finished = Package(path=self.target, size=size, sha256=sha, manifest_sha256=manifest_sha)
        return self._finished
