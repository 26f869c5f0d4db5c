"""Numbers as the lab's page prints them, read back: the page writes the minus sign '−'
(U+2212) where Python and JavaScript write '-'."""


def ascii_minus(text: str) -> str:
    """The page's text with '−' written as '-', for float() or a format string to compare."""
    return text.replace("−", "-")


def page_float(text: str) -> float:
    """A number as the page shows it ('−0.5', '1.7e−5') as a float."""
    return float(ascii_minus(text))
