"""The adapters one workspace knows: soloml's built-in vendor objects plus that workspace's `mappings/*.yaml`.

An `AdapterCatalog` is an immutable value, built from a workspace (or from mapping files) and handed to
detection, routing and `soloml map`. Nothing is registered process-wide, so a long-lived process (the service,
the dashboard) can serve two workspaces whose mappings share a name ('pos.payments') and each routes its own way.

>>> BUILT_IN.adapter("stripe.payments").name
'stripe_payments'
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from soloml.canonical.adapters import ADAPTERS
from soloml.canonical.adapters.base import Adapter
from soloml.canonical.adapters.mapping import BUILT_IN_VENDORS, Mapping, load_mapping, mapping_adapter
from soloml.errors import AdapterError, ConfigError, did_you_mean


@dataclass(frozen=True)
class AdapterCatalog:
    """Built-in adapters plus the adapters made from one workspace's mappings (in file-name order).

    `built_in` defaults to soloml's vendor adapters; a test may hand in a changed set.
    """

    mappings: tuple[tuple[Mapping, Adapter], ...] = ()
    built_in: tuple[Adapter, ...] = ADAPTERS
    by_name: MappingProxyType[str, Adapter] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {a.vendor_object: a for a in self.built_in}
        names.update({a.vendor_object: a for _, a in self.mappings})  # a later mapping of the same name wins
        object.__setattr__(self, "by_name", MappingProxyType(names))

    @classmethod
    def from_files(cls, paths: Iterable[Path | str]) -> AdapterCatalog:
        """Validate mapping files into a catalog; ConfigError naming the file when one is invalid.

        A mapping may not take the name of a built-in vendor (e.g. source 'stripe').
        """
        found = []
        for path in paths:
            m = load_mapping(path)
            if m.source in BUILT_IN_VENDORS:
                raise ConfigError(
                    f"Mapping {Path(path).name} uses source '{m.source}', which is one of soloml's own vendors.",
                    hint=f"Choose another `source` name, e.g. 'my_{m.source}', or load the file with `--as {m.source}.<object>`.",
                )
            found.append((m, mapping_adapter(m)))
        return cls(tuple(found))

    @classmethod
    def from_folder(cls, mappings_dir: Path | str) -> AdapterCatalog:
        """Every `*.yaml` / `*.yml` in a workspace's mappings/ folder (none when the folder does not exist)."""
        folder = Path(mappings_dir)
        if not folder.is_dir():
            return BUILT_IN
        return cls.from_files(sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]))

    def __iter__(self) -> Iterator[Adapter]:
        return iter(self.by_name.values())

    def adapter(self, vendor_object: str) -> Adapter:
        """The adapter for 'vendor.object'; AdapterError with did-you-mean otherwise."""
        if vendor_object in self.by_name:
            return self.by_name[vendor_object]
        raise AdapterError(
            f"There is no adapter called '{vendor_object}'.{did_you_mean(vendor_object, self.by_name)}",
            hint=f"Known: {', '.join(sorted(self.by_name))}. Or pass a plain name (no dot) to load the file as a raw table only.",
        )

    @property
    def mapping_adapters(self) -> tuple[Adapter, ...]:
        """The adapters made from this workspace's mappings."""
        return tuple(a for _, a in self.mappings)

    def mapping_for_file(self, path: Path | str) -> str | None:
        """The 'source.table' of the mapping whose `match.file` pattern fits this file name, if any."""
        name = Path(path).name
        for m, a in self.mappings:
            if m.match.file and fnmatch.fnmatch(name, m.match.file):
                return a.vendor_object
        return None


BUILT_IN = AdapterCatalog()
"""soloml's own vendor objects and no mappings: what a file is recognised as outside any workspace."""

__all__ = ["ADAPTERS", "BUILT_IN", "AdapterCatalog"]
