"""Acme widgets: the example library of the release actions."""

__version__ = "0.1.0"


def assemble(kind: str, count: int) -> list[str]:
    """Numbered widgets of one kind."""
    if count < 0:
        raise ValueError("count must not be negative")
    return [f"{kind}-{number}" for number in range(1, count + 1)]
