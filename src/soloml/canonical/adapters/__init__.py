"""Every vendor adapter, one module per vendor; each module lists its adapters in `ADAPTERS`.

>>> adapter("stripe.payments").name
'stripe_payments'
"""

from __future__ import annotations

import importlib
from types import MappingProxyType

from soloml.canonical.adapters.base import Adapter, Check
from soloml.errors import AdapterError, did_you_mean

VENDOR_MODULES = ("stripe", "stripe_synced", "stripe_api", "shopify", "square", "hubspot", "salesforce", "mailchimp")


def _load() -> tuple[Adapter, ...]:
    found: list[Adapter] = []
    for vendor in VENDOR_MODULES:
        module_name = f"{__name__}.{vendor}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a vendor module not written yet
            if exc.name != module_name:
                raise
            continue
        found.extend(module.ADAPTERS)
    names = [a.vendor_object for a in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AdapterError(
            f"Two adapters claim the same name: {', '.join(duplicates)}.",
            hint="Give each vendor object a unique `object`.",
        )
    return tuple(found)


ADAPTERS: tuple[Adapter, ...] = _load()
BY_NAME: MappingProxyType[str, Adapter] = MappingProxyType({a.vendor_object: a for a in ADAPTERS})
"""Read-only: a workspace's mappings join these in its `AdapterCatalog` (adapter_catalog.py), never here."""


def adapter(vendor_object: str) -> Adapter:
    """The built-in adapter for 'vendor.object' (e.g. 'stripe.payments'); AdapterError with did-you-mean otherwise.

    A workspace's mappings are only known to its `AdapterCatalog.adapter`."""
    if vendor_object in BY_NAME:
        return BY_NAME[vendor_object]
    raise AdapterError(
        f"There is no adapter called '{vendor_object}'.{did_you_mean(vendor_object, BY_NAME)}",
        hint=f"Known: {', '.join(sorted(BY_NAME))}. Or pass a plain name (no dot) to load the file as a raw table only.",
    )


__all__ = ["ADAPTERS", "Adapter", "Check", "adapter"]
