"""SKU comparison. SKUs match only when identical; this module names why two SKUs differ.

The comparison key (Unicode NFC, surrounding whitespace removed, case-folded) only
groups SKUs that a person would read as the same, so the audit can report
near-misses. It is never used to link a channel product to a master product.
"""

import unicodedata


def sku_key(sku: str) -> str:
    """Return the comparison key of a SKU: NFC form, surrounding whitespace removed, case-folded."""
    return unicodedata.normalize("NFC", sku).strip().casefold()


def _describe_edge(extra: str, side: str) -> str:
    if extra == " ":
        return f"{side} space"
    if set(extra) == {" "}:
        return f"{len(extra)} {side} spaces"
    return f"{side} whitespace {extra!r}"


def describe_difference(candidate: str, reference: str) -> list[str]:
    """List how `candidate` differs from `reference`, e.g. ["trailing space", "letter case"].

    Returns an empty list when the SKUs are identical or differ by more than
    surrounding whitespace, letter case and Unicode normalization form.
    """
    if candidate == reference or sku_key(candidate) != sku_key(reference):
        return []

    differences: list[str] = []
    candidate_core = candidate.strip()
    reference_core = reference.strip()

    candidate_leading = candidate[: len(candidate) - len(candidate.lstrip())]
    reference_leading = reference[: len(reference) - len(reference.lstrip())]
    if candidate_leading != reference_leading:
        edge = candidate_leading or reference_leading
        differences.append(_describe_edge(edge, "leading"))

    candidate_trailing = candidate[len(candidate.rstrip()) :]
    reference_trailing = reference[len(reference.rstrip()) :]
    if candidate_trailing != reference_trailing:
        edge = candidate_trailing or reference_trailing
        differences.append(_describe_edge(edge, "trailing"))

    if candidate_core != reference_core:
        candidate_nfc = unicodedata.normalize("NFC", candidate_core)
        reference_nfc = unicodedata.normalize("NFC", reference_core)
        if candidate_nfc != candidate_core or reference_nfc != reference_core:
            if candidate_nfc == reference_nfc or candidate_nfc.casefold() == reference_nfc.casefold():
                differences.append("Unicode normalization form (NFC vs NFD)")
        if candidate_nfc != reference_nfc:
            differences.append("letter case")
    return differences


def explain_mismatch(channel_sku: str, master_sku: str) -> str:
    """Sentence saying why `channel_sku` does not match `master_sku`."""
    differences = describe_difference(channel_sku, master_sku)
    joined = " and ".join(differences) if differences else "more than whitespace, case or Unicode form"
    return f"no master SKU {channel_sku!r}; differs from {master_sku!r} by {joined}"


def surrounding_whitespace_warning(sku: str) -> str | None:
    """Warning for a SKU with leading or trailing whitespace, which is kept and matched exactly."""
    if sku == sku.strip():
        return None
    return (
        f"SKU {sku!r} has leading or trailing whitespace; it is kept as given and links only to "
        "channel SKUs with the same whitespace"
    )
