"""Which of the program's regions (partners.Partner.Region) a country lies in, for matching a lead's country to the
regions a partner works in. Countries not listed below are in EMEA (Europe, the Middle East and Africa)."""

NA = frozenset({"US", "CA", "PM", "BM", "GL"})
LATAM = frozenset(
    {
        "MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA", "CU", "DO", "HT", "JM", "PR", "TT", "BS", "BB", "AG", "DM",
        "GD", "KN", "LC", "VC", "AW", "CW", "SX", "BQ", "KY", "TC", "VG", "VI", "AI", "MS", "GP", "MQ", "BL", "MF",
        "CO", "VE", "EC", "PE", "BO", "BR", "PY", "UY", "AR", "CL", "GY", "SR", "GF", "FK",
    }
)  # fmt: skip
APAC = frozenset(
    {
        "CN", "JP", "KR", "KP", "TW", "HK", "MO", "MN", "IN", "PK", "BD", "LK", "NP", "BT", "MV", "AF", "SG", "MY",
        "ID", "TH", "VN", "PH", "KH", "LA", "MM", "BN", "TL", "AU", "NZ", "PG", "FJ", "SB", "VU", "NC", "PF", "WS",
        "TO", "KI", "FM", "MH", "PW", "NR", "TV", "CK", "NU", "GU", "MP", "AS", "KZ", "UZ", "KG", "TJ", "TM",
    }
)  # fmt: skip


def region_of(country: str) -> str:
    """ "na", "latam", "apac" or "emea" for an ISO 3166 code; "" without a country."""
    code = (country or "").strip().upper()
    if not code:
        return ""
    if code in NA:
        return "na"
    if code in LATAM:
        return "latam"
    if code in APAC:
        return "apac"
    return "emea"
