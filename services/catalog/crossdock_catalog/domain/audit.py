"""The SKU audit: collisions, near-misses, duplicate channel SKUs and masters without a channel link.

Pure functions over rows loaded by the service layer, so the rules are tested without a database.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crossdock_catalog.domain.sku import describe_difference, explain_mismatch, sku_key


@dataclass(frozen=True)
class MasterRow:
    sku: str
    product_type: str
    title: str
    gtin: str | None


@dataclass(frozen=True)
class ChannelProductRow:
    integration_id: str
    channel_product_id: str
    channel_sku: str
    title: str
    gtin: str | None
    master_sku: str | None


@dataclass(frozen=True)
class OptionRow:
    sku: str
    integration_id: str
    sync_to_channel: bool
    channel_sku: str | None


@dataclass
class SkuMapping:
    """The channel SKUs of one integration and the master each maps to (channelSku when set, else identity)."""

    by_channel_sku: dict[str, str] = field(default_factory=dict)
    identity_overridden: set[str] = field(default_factory=set)

    def resolve(self, channel_sku: str, master_skus: set[str]) -> str | None:
        """Return the master SKU that `channel_sku` maps to exactly, or None."""
        if channel_sku in self.by_channel_sku:
            return self.by_channel_sku[channel_sku]
        if channel_sku in master_skus and channel_sku not in self.identity_overridden:
            return channel_sku
        return None

    def matchable(self, master_skus: Iterable[str]) -> dict[str, str]:
        """Return every channel SKU that links on this integration, mapped to its master SKU."""
        result = {sku: sku for sku in master_skus if sku not in self.identity_overridden}
        result.update(self.by_channel_sku)
        return result


def build_mapping(options: Iterable[OptionRow], integration_id: str) -> SkuMapping:
    mapping = SkuMapping()
    for option in options:
        if option.integration_id == integration_id and option.channel_sku is not None:
            mapping.by_channel_sku[option.channel_sku] = option.sku
            mapping.identity_overridden.add(option.sku)
    return mapping


def normalized_title(title: str) -> str:
    """Return a title reduced for comparison: compatibility form, case-folded, punctuation collapsed to spaces."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.split(r"[\W_]+", text)).strip()


def _gtin14(gtin: str) -> str:
    return gtin.zfill(14)


def identity_conflict(first: tuple[str, str | None], second: tuple[str, str | None]) -> str | None:
    """Name how two (title, GTIN) identities disagree, or return None when they may be one product.

    GTINs decide when both are known (compared as GTIN-14, so a UPC and its EAN
    form agree). Otherwise titles are compared after `normalized_title`.
    """
    first_title, first_gtin = first
    second_title, second_gtin = second
    if first_gtin and second_gtin:
        return "GTIN differs" if _gtin14(first_gtin) != _gtin14(second_gtin) else None
    if first_title and second_title and normalized_title(first_title) != normalized_title(second_title):
        return "title differs"
    return None


def find_collisions(masters: list[MasterRow], channel_products: list[ChannelProductRow]) -> list[dict[str, Any]]:
    """Report SKUs that carry more than one identity: the master and its channel products, or unlinked ones."""
    master_by_sku = {master.sku: master for master in masters}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for master in masters:
        groups[master.sku].append({"source": "master", "title": master.title, "gtin": master.gtin})
    for product in channel_products:
        if product.master_sku is not None:
            group_sku = product.master_sku
        elif product.channel_sku not in master_by_sku:
            group_sku = product.channel_sku
        else:
            continue  # Unmatched because a channelSku replaces the identity mapping: not the same SKU.
        groups[group_sku].append(
            {
                "source": product.integration_id,
                "channel_product_id": product.channel_product_id,
                "channel_sku": product.channel_sku,
                "title": product.title,
                "gtin": product.gtin,
            }
        )

    collisions = []
    for sku, identities in sorted(groups.items()):
        reasons = set()
        for index, first in enumerate(identities):
            for second in identities[index + 1 :]:
                conflict = identity_conflict((first["title"], first["gtin"]), (second["title"], second["gtin"]))
                if conflict:
                    reasons.add(conflict)
        if reasons:
            collisions.append(
                {
                    "sku": sku,
                    "reasons": sorted(reasons),
                    "identities": identities,
                    "message": f"SKU {sku!r} carries different products ({', '.join(sorted(reasons))}); "
                    "fix the SKU on one side or set a Mirakl channelSku",
                }
            )
    return collisions


def find_near_misses(
    masters: list[MasterRow], channel_products: list[ChannelProductRow], options: list[OptionRow]
) -> list[dict[str, Any]]:
    """Report SKUs that look alike but will not match: unmatched channel SKUs and masters among themselves."""
    master_skus = [master.sku for master in masters]
    findings: list[dict[str, Any]] = []

    by_key: dict[str, list[str]] = defaultdict(list)
    for sku in master_skus:
        by_key[sku_key(sku)].append(sku)
    for skus in by_key.values():
        if len(skus) < 2:
            continue
        ordered = sorted(skus)
        for other in ordered[1:]:
            differences = describe_difference(other, ordered[0])
            findings.append(
                {
                    "kind": "master_vs_master",
                    "sku": other,
                    "similar_sku": ordered[0],
                    "differences": differences,
                    "message": f"master SKUs {other!r} and {ordered[0]!r} differ only by {' and '.join(differences)}",
                }
            )

    mappings: dict[str, dict[str, str]] = {}
    for product in channel_products:
        if product.master_sku is not None:
            continue
        if product.integration_id not in mappings:
            mappings[product.integration_id] = build_mapping(options, product.integration_id).matchable(master_skus)
        for candidate in closest_matches(product.channel_sku, mappings[product.integration_id]):
            findings.append(
                {
                    "kind": "channel_vs_master",
                    "integration_id": product.integration_id,
                    "channel_product_id": product.channel_product_id,
                    "sku": product.channel_sku,
                    "similar_sku": candidate,
                    "differences": describe_difference(product.channel_sku, candidate),
                    "message": explain_mismatch(product.channel_sku, candidate),
                }
            )
    return findings


def closest_matches(channel_sku: str, matchable: dict[str, str]) -> list[str]:
    """Return the channel SKUs in `matchable` that differ from `channel_sku` only by case, whitespace or form."""
    key = sku_key(channel_sku)
    return sorted(candidate for candidate in matchable if candidate != channel_sku and sku_key(candidate) == key)


def find_duplicate_channel_skus(
    masters: list[MasterRow], channel_products: list[ChannelProductRow], options: list[OptionRow]
) -> list[dict[str, Any]]:
    """Report channel SKUs that map to two masters, and channel SKUs used by two channel products."""
    master_skus = {master.sku for master in masters}
    findings: list[dict[str, Any]] = []

    by_integration: dict[str, list[OptionRow]] = defaultdict(list)
    for option in options:
        if option.channel_sku is not None:
            by_integration[option.integration_id].append(option)
    for integration_id, rows in sorted(by_integration.items()):
        overridden = {row.sku for row in rows}
        for row in rows:
            if row.channel_sku in master_skus and row.channel_sku not in overridden:
                findings.append(
                    {
                        "kind": "channel_sku_is_other_master_sku",
                        "integration_id": integration_id,
                        "channel_sku": row.channel_sku,
                        "skus": [row.sku, row.channel_sku],
                        "message": f"on {integration_id}, channelSku {row.channel_sku!r} of {row.sku!r} is also the "
                        f"master SKU {row.channel_sku!r}, which maps to itself there; change one of them",
                    }
                )

    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for product in channel_products:
        seen[(product.integration_id, product.channel_sku)].append(product.channel_product_id)
    for (integration_id, channel_sku), product_ids in sorted(seen.items()):
        if len(product_ids) > 1:
            findings.append(
                {
                    "kind": "channel_sku_on_several_channel_products",
                    "integration_id": integration_id,
                    "channel_sku": channel_sku,
                    "channel_product_ids": sorted(product_ids),
                    "message": f"on {integration_id}, {len(product_ids)} channel products use SKU {channel_sku!r}; "
                    "each channel product needs its own SKU",
                }
            )
    return findings


def find_unlinked_masters(
    masters: list[MasterRow],
    channel_products: list[ChannelProductRow],
    options: list[OptionRow],
    sales_integrations: list[str],
) -> list[dict[str, Any]]:
    """Report masters without a channel link on an integration they sync to (or without any link)."""
    linked: dict[str, set[str]] = defaultdict(set)
    for product in channel_products:
        if product.master_sku is not None:
            linked[product.master_sku].add(product.integration_id)
    sync_off = {(option.sku, option.integration_id) for option in options if not option.sync_to_channel}

    findings = []
    for master in masters:
        missing = [
            integration_id
            for integration_id in sales_integrations
            if integration_id not in linked[master.sku] and (master.sku, integration_id) not in sync_off
        ]
        if missing or not linked[master.sku]:
            findings.append(
                {
                    "sku": master.sku,
                    "product_type": master.product_type,
                    "linked_integrations": sorted(linked[master.sku]),
                    "missing_integrations": missing,
                }
            )
    return findings


def run_audit(
    *,
    masters: list[MasterRow],
    channel_products: list[ChannelProductRow],
    options: list[OptionRow],
    sales_integrations: list[str],
) -> dict[str, Any]:
    """Run every audit check and return the findings grouped by check."""
    return {
        "collisions": find_collisions(masters, channel_products),
        "near_misses": find_near_misses(masters, channel_products, options),
        "duplicate_channel_skus": find_duplicate_channel_skus(masters, channel_products, options),
        "unlinked_masters": find_unlinked_masters(masters, channel_products, options, sales_integrations),
    }
