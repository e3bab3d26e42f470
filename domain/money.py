"""Money is whole đồng; this is how it is written for people."""


def format_dong(amount: int) -> str:
    """1500000 → '1.500.000 đồng' (Vietnamese thousands separator)."""
    return f"{amount:,} đồng".replace(",", ".")
