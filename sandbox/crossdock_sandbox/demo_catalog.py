"""The demo catalog that `make run` loads into both marketplace sandboxes.

`build_demo_catalog()` returns the same data on every call and does no I/O. It
has 45 product families (apparel, shoes, outdoor and home), each with 1 to 8
colour and size variants and 235 variant SKUs in all. Every variant has a
title, brand, description, category, a price as a decimal string, an EAN-13
GTIN and an image URL under https://images.example.com/.

Each marketplace side lists the variants as `Listing` records, and these
special cases are built in on purpose. The constants below name them, and the
`DemoCatalog` fields list them.

(a) Shared SKUs (`shared_skus`): most variants, listed on Mirakl and TikTok
    with the same SKU text and the same product (title and GTIN).
(b) One-side SKUs: the variants of the families in MIRAKL_ONLY_FAMILIES are
    listed only on Mirakl (`mirakl_only_skus`), and those of
    TIKTOK_ONLY_FAMILIES only on TikTok (`tiktok_only_skus`).
(c) Conflicting SKUs (`conflicting_skus`, CONFLICTS): Mirakl lists the hub
    variant, but TikTok lists a different product under the same SKU text,
    with its own title and GTIN. Exact SKU matching links the two, so the hub
    must notice that the products differ.
(d) Near misses (`near_miss_pairs`, NEAR_MISSES): TikTok's seller SKU differs
    from the Mirakl shop SKU only by letter case or by leading or trailing
    whitespace. Exact matching must not link them.
(e) Mapped SKUs (`mapped_skus`, MAPPED_SKUS): Mirakl's shop SKU is an
    `MK-` code, while TikTok uses the hub SKU. The hub links them only
    through a Mirakl channel SKU mapping from the hub SKU to the `MK-` code.

GTINs are EAN-13 numbers with prefix 20 to 29, the range GS1 keeps for
in-store use, so they name no real product.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

IMAGE_BASE_URL = "https://images.example.com/crossdock-demo"
# Families listed on one side only: home linen on Mirakl, a sock bundle on TikTok.
MIRAKL_ONLY_FAMILIES = ("HOME-LINEN-NAPKIN",)
TIKTOK_ONLY_FAMILIES = ("APP-SOCK-TRIO",)
# Hub SKU -> (title, category code) of the other product that TikTok lists under the same SKU text.
CONFLICTS = {
    "OUT-BOTTLE-STEEL-SILVER-750": ("Kids' insulated lunch box, blue", "kitchen-storage"),
    "HOME-MUG-ENAMEL-WHITE": ("Ceramic espresso cup set of 2, white", "tableware"),
    "APP-CAP-TRUCKER-BLACK": ("Phone case for compact smartphones, black", "accessories"),
}
# Hub SKU -> the seller SKU that TikTok lists for the same product.
NEAR_MISSES = {
    "SHOE-TRAIL-AERO-BLUE-42": "shoe-trail-aero-blue-42",
    "APP-TEE-ORGANIC-NAVY-M": "APP-TEE-ORGANIC-NAVY-M ",
    "OUT-HEADLAMP-300-BLACK": " OUT-HEADLAMP-300-BLACK",
    "HOME-THROW-WOOL-GREY": "Home-Throw-Wool-Grey",
}
# Hub SKU (also TikTok's seller SKU) -> the Mirakl shop SKU.
MAPPED_SKUS = {
    "SHOE-SANDAL-HIKE-BROWN-40": "MK-100401",
    "OUT-TENT-DOME-2P-GREEN": "MK-100402",
}

BRANDS = {
    "apparel": "Alder & Pine",
    "shoes": "Cobblestone Footwear",
    "outdoor": "Summit Line",
    "home": "Harbor Home",
}

# (code, title, department, category code, category label, price, colours, sizes, description)
FAMILIES = (
    ("APP-TEE-ORGANIC", "Organic cotton crew T-shirt", "apparel", "t-shirts", "T-shirts", "24.90",
     ("WHITE", "NAVY"), ("S", "M", "L", "XL"), "Midweight organic cotton jersey with a ribbed collar."),
    ("APP-TEE-MERINO", "Merino wool base-layer tee", "apparel", "t-shirts", "T-shirts", "59.00",
     ("BLACK", "GREY"), ("S", "M", "L", "XL"), "150 g/m2 merino that stays fresh for days on the trail."),
    ("APP-SHIRT-FLANNEL", "Brushed flannel shirt", "apparel", "shirts", "Shirts", "49.90",
     ("RED", "GREEN"), ("S", "M", "L", "XL"), "Yarn-dyed check flannel, brushed on both sides."),
    ("APP-HOODIE-FLEECE", "Recycled fleece hoodie", "apparel", "sweatshirts", "Sweatshirts", "64.90",
     ("GREY", "NAVY"), ("S", "M", "L", "XL"), "Loopback fleece from recycled polyester with a kangaroo pocket."),
    ("APP-JACKET-RAIN", "Packable rain jacket", "apparel", "jackets", "Jackets", "119.00",
     ("RED", "NAVY"), ("S", "M", "L", "XL"), "2.5-layer waterproof shell that packs into its own pocket."),
    ("APP-JACKET-DOWN", "Lightweight down jacket", "apparel", "jackets", "Jackets", "179.00",
     ("BLACK", "OLIVE"), ("S", "M", "L", "XL"), "650-fill responsibly sourced down in a baffled shell."),
    ("APP-VEST-INSULATED", "Insulated vest", "apparel", "jackets", "Jackets", "89.00",
     ("BLACK",), ("S", "M", "L", "XL"), "Synthetic insulation that stays warm when damp."),
    ("APP-PANT-HIKE", "Stretch hiking trousers", "apparel", "trousers", "Trousers", "79.90",
     ("KHAKI", "BLACK"), ("30", "32", "34", "36"), "Four-way stretch with a gusseted crotch and zip pockets."),
    ("APP-SHORT-TRAIL", "Trail running shorts", "apparel", "shorts", "Shorts", "39.90",
     ("BLACK", "BLUE"), ("S", "M", "L", "XL"), "Light shorts with a brief liner and a phone pocket."),
    ("APP-LEGGING-RUN", "Running leggings", "apparel", "leggings", "Leggings", "54.90",
     ("BLACK", "NAVY"), ("XS", "S", "M", "L"), "High-rise leggings with reflective details."),
    ("APP-CAP-TRUCKER", "Mesh trucker cap", "apparel", "accessories", "Accessories", "22.00",
     ("BLACK", "KHAKI"), ("",), "Adjustable snapback with a curved brim."),
    ("APP-BEANIE-RIB", "Ribbed merino beanie", "apparel", "accessories", "Accessories", "29.90",
     ("GREY", "MUSTARD", "NAVY", "BLACK"), ("",), "Double-layer rib knit in soft merino."),
    ("APP-GLOVE-LINER", "Touchscreen liner gloves", "apparel", "accessories", "Accessories", "19.90",
     ("BLACK", "GREY"), ("S", "M", "L"), "Thin gloves with conductive fingertips."),
    ("APP-SOCK-TRIO", "Cushioned crew socks, pack of 3", "apparel", "socks", "Socks", "18.00",
     ("MIXED",), ("S", "M", "L"), "Cushioned soles and a seamless toe, three pairs per pack."),
    ("SHOE-TRAIL-AERO", "Aero trail running shoe", "shoes", "running-shoes", "Running shoes", "129.00",
     ("BLUE", "BLACK"), ("40", "41", "42", "43"), "Grippy lugged outsole and a rock plate for technical trails."),
    ("SHOE-ROAD-GLIDE", "Glide road running shoe", "shoes", "running-shoes", "Running shoes", "119.00",
     ("WHITE", "CORAL"), ("38", "39", "40", "41"), "Responsive foam midsole with an 8 mm drop."),
    ("SHOE-HIKE-MID", "Waterproof mid hiking boot", "shoes", "hiking-boots", "Hiking boots", "159.00",
     ("BROWN", "GREY"), ("41", "42", "43", "44"), "Waterproof membrane, nubuck upper and a supportive heel."),
    ("SHOE-HIKE-LOW", "Low hiking shoe", "shoes", "hiking-boots", "Hiking boots", "129.00",
     ("BROWN",), ("40", "41", "42", "43", "44", "45"), "Breathable mesh upper for dry summer hikes."),
    ("SHOE-SANDAL-HIKE", "Hiking sandal", "shoes", "sandals", "Sandals", "69.00",
     ("BROWN", "BLACK"), ("39", "40", "41", "42"), "Adjustable straps and a contoured footbed."),
    ("SHOE-SNEAKER-CANVAS", "Canvas low-top sneaker", "shoes", "sneakers", "Sneakers", "59.00",
     ("WHITE", "NAVY"), ("38", "40", "42", "44"), "Vulcanized rubber sole and an organic canvas upper."),
    ("SHOE-SLIPPER-WOOL", "Felted wool slipper", "shoes", "slippers", "Slippers", "45.00",
     ("GREY", "RED"), ("38", "40", "42", "44"), "Boiled wool upper with a non-slip sole."),
    ("SHOE-BOOT-WINTER", "Insulated winter boot", "shoes", "boots", "Boots", "149.00",
     ("BLACK", "BROWN"), ("40", "41", "42", "44"), "Rated to -25 C with a removable felt liner."),
    ("SHOE-INSOLE-SUPPORT", "Arch support insoles", "shoes", "shoe-care", "Shoe care", "29.00",
     ("BLUE",), ("S", "M", "L"), "Firm heel cup and medium arch support."),
    ("OUT-TENT-DOME-2P", "Two-person dome tent", "outdoor", "tents", "Tents", "249.00",
     ("GREEN", "ORANGE"), ("",), "Freestanding three-season tent with two doors."),
    ("OUT-TENT-TUNNEL-4P", "Four-person tunnel tent", "outdoor", "tents", "Tents", "399.00",
     ("GREEN",), ("",), "Spacious tunnel tent with a large vestibule."),
    ("OUT-BAG-SLEEP-3S", "Three-season sleeping bag", "outdoor", "sleeping", "Sleeping", "139.00",
     ("BLUE", "RED", "GREEN"), ("REGULAR", "LONG"), "Synthetic fill, comfort rating 2 C."),
    ("OUT-PAD-SLEEP", "Self-inflating sleeping pad", "outdoor", "sleeping", "Sleeping", "89.00",
     ("GREEN",), ("REGULAR", "LONG", "WIDE"), "5 cm foam core with an R-value of 3.5."),
    ("OUT-PACK-DAY-25", "25 L hiking daypack", "outdoor", "backpacks", "Backpacks", "99.00",
     ("BLACK", "BLUE", "RED"), ("",), "Ventilated back panel and a hydration sleeve."),
    ("OUT-PACK-TREK-55", "55 L trekking backpack", "outdoor", "backpacks", "Backpacks", "219.00",
     ("GREY", "GREEN", "BLACK"), ("S-M", "L-XL"), "Adjustable torso length and a removable lid."),
    ("OUT-BOTTLE-STEEL", "Insulated steel bottle", "outdoor", "hydration", "Hydration", "29.90",
     ("SILVER",), ("500", "750", "1000"), "Double-wall vacuum insulation keeps drinks cold for 24 hours."),
    ("OUT-HEADLAMP-300", "300-lumen headlamp", "outdoor", "lighting", "Lighting", "39.00",
     ("BLACK", "YELLOW", "RED"), ("",), "Rechargeable headlamp with a red night mode."),
    ("OUT-STOVE-GAS", "Compact gas stove", "outdoor", "cooking", "Camp cooking", "54.00",
     ("SILVER",), ("",), "Boils a litre of water in 3.5 minutes."),
    ("OUT-POT-TITANIUM", "Titanium cook pot", "outdoor", "cooking", "Camp cooking", "49.00",
     ("GREY",), ("750", "1100", "1600"), "Light pot with a folding handle and a lid."),
    ("OUT-POLE-TREK", "Carbon trekking poles", "outdoor", "trekking-poles", "Trekking poles", "119.00",
     ("BLACK",), ("110", "120", "130"), "Three-section carbon poles with cork grips."),
    ("OUT-CHAIR-CAMP", "Folding camp chair", "outdoor", "camp-furniture", "Camp furniture", "79.00",
     ("BLACK", "GREEN", "BLUE"), ("",), "Packs to the size of a water bottle and holds 120 kg."),
    ("HOME-MUG-ENAMEL", "Enamel camping mug", "home", "tableware", "Tableware", "14.90",
     ("WHITE", "GREEN", "BLUE"), ("",), "Steel mug with a glossy enamel coat and a rolled rim."),
    ("HOME-THROW-WOOL", "Wool blanket throw", "home", "textiles", "Home textiles", "89.00",
     ("GREY", "MUSTARD"), ("",), "Woven lambswool throw, 130 x 170 cm."),
    ("HOME-CUSHION-LINEN", "Linen cushion cover", "home", "textiles", "Home textiles", "29.00",
     ("NATURAL", "SAGE", "RUST", "NAVY"), ("40", "50"), "Stonewashed linen with a hidden zip."),
    ("HOME-LINEN-NAPKIN", "Linen napkins, set of 4", "home", "table-linen", "Table linen", "34.00",
     ("NATURAL", "SAGE"), ("",), "Soft stonewashed linen, 45 x 45 cm."),
    ("HOME-CANDLE-SOY", "Soy wax candle", "home", "decoration", "Decoration", "24.00",
     ("CEDAR", "FIG", "LINEN", "AMBER"), ("",), "Hand-poured soy wax with a cotton wick, 45 hours of burn time."),
    ("HOME-LANTERN-LED", "Rechargeable LED lantern", "home", "lighting", "Lighting", "44.00",
     ("BLACK", "WHITE", "GREEN"), ("",), "Dimmable lantern for the garden or the campsite."),
    ("HOME-BOARD-OAK", "Oak serving board", "home", "kitchen", "Kitchen", "39.00",
     ("NATURAL",), ("S", "M", "L"), "Solid oak board finished with food-safe oil."),
    ("HOME-TOWEL-BATH", "Cotton waffle bath towel", "home", "bath", "Bath", "32.00",
     ("WHITE", "SAGE", "GREY"), ("HAND", "BATH"), "Quick-drying waffle weave in long-staple cotton."),
    ("HOME-BASKET-SEAGRASS", "Seagrass storage basket", "home", "storage", "Storage", "36.00",
     ("NATURAL",), ("S", "M", "L"), "Hand-woven seagrass with sturdy handles."),
    ("HOME-PLANTER-CERAMIC", "Ceramic planter", "home", "garden", "Garden", "27.00",
     ("WHITE", "TERRACOTTA"), ("12", "16", "20", "24"), "Glazed planter with a drainage hole and a saucer."),
)  # fmt: skip


@dataclass(frozen=True)
class Variant:
    """One sellable product: a colour and size of a family, or a conflicting product that TikTok lists."""

    sku: str
    family_code: str
    title: str
    brand: str
    description: str
    department: str
    category_code: str
    category_label: str
    colour: str
    size: str
    price: str
    gtin: str
    image_url: str
    stock: int


@dataclass(frozen=True)
class Family:
    """A product family; the variants share title, brand, description, category and price."""

    code: str
    title: str
    brand: str
    department: str
    category_code: str
    category_label: str
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class Listing:
    """One SKU as one marketplace lists it.

    `seller_sku` is the marketplace's SKU text, which differs from the hub SKU
    for near misses and mapped SKUs. `product` is what the marketplace sells under
    it: the hub variant, or another product for a conflicting SKU. `group_code`
    groups SKUs into one TikTok product.
    """

    seller_sku: str
    hub_sku: str
    product: Variant
    group_code: str
    case: str  # "shared", "mirakl_only", "tiktok_only", "conflict", "near_miss" or "mapped"


@dataclass(frozen=True)
class DemoCatalog:
    """The families and each marketplace's listings, with the special cases named."""

    families: tuple[Family, ...]
    mirakl: tuple[Listing, ...]
    tiktok: tuple[Listing, ...]
    shared_skus: tuple[str, ...]
    mirakl_only_skus: tuple[str, ...]
    tiktok_only_skus: tuple[str, ...]
    conflicting_skus: tuple[str, ...]
    near_miss_pairs: tuple[tuple[str, str], ...]  # (Mirakl shop SKU, TikTok seller SKU)
    mapped_skus: dict[str, str]  # hub SKU -> Mirakl shop SKU

    @property
    def variants(self) -> tuple[Variant, ...]:
        return tuple(variant for family in self.families for variant in family.variants)


def ean13(first_twelve: str) -> str:
    """Complete 12 digits with the EAN-13 check digit."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


@cache
def build_demo_catalog() -> DemoCatalog:
    """Build the demo catalog; every call returns the same data.

    Raises ValueError when a special-case constant names a SKU the families do not have.
    """
    families = tuple(_family(index, row) for index, row in enumerate(FAMILIES))
    by_sku = {variant.sku: variant for family in families for variant in family.variants}
    for name, skus in (("CONFLICTS", CONFLICTS), ("NEAR_MISSES", NEAR_MISSES), ("MAPPED_SKUS", MAPPED_SKUS)):
        unknown = sorted(set(skus) - set(by_sku))
        if unknown:
            raise ValueError(f"{name} names SKUs that no family has: {unknown}")

    mirakl, tiktok = [], []
    for family in families:
        for variant in family.variants:
            mirakl_listing, tiktok_listing = _listings(family, variant)
            if mirakl_listing is not None:
                mirakl.append(mirakl_listing)
            if tiktok_listing is not None:
                tiktok.append(tiktok_listing)

    return DemoCatalog(
        families=families,
        mirakl=tuple(mirakl),
        tiktok=tuple(tiktok),
        shared_skus=tuple(listing.hub_sku for listing in mirakl if listing.case == "shared"),
        mirakl_only_skus=tuple(listing.hub_sku for listing in mirakl if listing.case == "mirakl_only"),
        tiktok_only_skus=tuple(listing.hub_sku for listing in tiktok if listing.case == "tiktok_only"),
        conflicting_skus=tuple(CONFLICTS),
        near_miss_pairs=tuple(NEAR_MISSES.items()),
        mapped_skus=dict(MAPPED_SKUS),
    )


def _listings(family: Family, variant: Variant) -> tuple[Listing | None, Listing | None]:
    """Return the Mirakl and TikTok listings of one variant; None where that side does not list it."""
    sku = variant.sku
    if family.code in MIRAKL_ONLY_FAMILIES:
        return Listing(seller_sku=sku, hub_sku=sku, product=variant, group_code=family.code, case="mirakl_only"), None
    if family.code in TIKTOK_ONLY_FAMILIES:
        return None, Listing(seller_sku=sku, hub_sku=sku, product=variant, group_code=family.code, case="tiktok_only")
    if sku in CONFLICTS:
        other = _conflicting_product(variant)
        return (
            Listing(seller_sku=sku, hub_sku=sku, product=variant, group_code=family.code, case="conflict"),
            Listing(seller_sku=sku, hub_sku=sku, product=other, group_code=other.family_code, case="conflict"),
        )
    if sku in NEAR_MISSES:
        return (
            Listing(seller_sku=sku, hub_sku=sku, product=variant, group_code=family.code, case="near_miss"),
            Listing(
                seller_sku=NEAR_MISSES[sku], hub_sku=sku, product=variant, group_code=family.code, case="near_miss"
            ),
        )
    if sku in MAPPED_SKUS:
        return (
            Listing(seller_sku=MAPPED_SKUS[sku], hub_sku=sku, product=variant, group_code=family.code, case="mapped"),
            Listing(seller_sku=sku, hub_sku=sku, product=variant, group_code=family.code, case="mapped"),
        )
    shared = Listing(seller_sku=sku, hub_sku=sku, product=variant, group_code=family.code, case="shared")
    return shared, shared


def _family(index: int, row: tuple) -> Family:
    code, title, department, category_code, category_label, price, colours, sizes, description = row
    brand = BRANDS[department]
    variants = []
    for colour in colours:
        for size in sizes:
            ordinal = index * 10 + len(variants)
            sku = "-".join(part for part in (code, colour, size) if part)
            name = f"{title}, {colour.lower()}" + (f", size {size}" if size else "")
            variants.append(
                Variant(
                    sku=sku,
                    family_code=code,
                    title=name,
                    brand=brand,
                    description=description,
                    department=department,
                    category_code=category_code,
                    category_label=category_label,
                    colour=colour,
                    size=size,
                    price=str(Decimal(price)),
                    gtin=ean13(f"20{ordinal:010d}"),
                    image_url=f"{IMAGE_BASE_URL}/{code.lower()}/{colour.lower()}.jpg",
                    stock=(ordinal * 37) % 60 + 5,
                )
            )
    return Family(
        code=code,
        title=title,
        brand=brand,
        department=department,
        category_code=category_code,
        category_label=category_label,
        variants=tuple(variants),
    )


def _conflicting_product(variant: Variant) -> Variant:
    """Return the other product that TikTok lists under `variant.sku`: its own title, category, GTIN and image."""
    title, category_code = CONFLICTS[variant.sku]
    number = list(CONFLICTS).index(variant.sku)
    code = f"OTHER-{number + 1}"
    return Variant(
        sku=variant.sku,
        family_code=code,
        title=title,
        brand="Other Brand",
        description=f"{title}. Listed by the seller under a SKU that the hub uses for another product.",
        department="home",
        category_code=category_code,
        category_label=category_code.replace("-", " ").capitalize(),
        colour="",
        size="",
        price="12.50",
        gtin=ean13(f"29{number + 1:010d}"),
        image_url=f"{IMAGE_BASE_URL}/{code.lower()}/main.jpg",
        stock=25,
    )
