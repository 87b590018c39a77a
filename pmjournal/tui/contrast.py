"""Text colours made readable on what they are drawn on (WCAG's contrast ratio): the app's
footer keys and placeholders, in any theme, Textual's own included."""

from textual.color import Color, ColorParseError


def readable_on(colour: str, background: str, ratio: float = 4.5) -> str:
    """`colour`, darkened on a light background or lightened on a dark one until its contrast
    with `background` is `ratio` (WCAG AA for text); as it is if it already is, or if either
    is not a colour (a theme's "transparent", an ANSI name)."""
    try:
        fg, bg = Color.parse(colour), Color.parse(background)
    except ColorParseError:
        return colour
    if fg.a < 1 or bg.a < 1:
        return colour
    for _step in range(20):
        if _contrast(fg, bg) >= ratio:
            break
        fg = fg.darken(0.05) if bg.brightness > 0.5 else fg.lighten(0.05)
    return fg.hex


def readable_hint(variables: dict[str, str]) -> str:
    """Textual's $text-disabled (what placeholders are drawn in), made readable on a form's
    field ($boost over $surface) and on the background."""
    try:
        background = Color.parse(variables["background"])
        field = background + Color.parse(variables.get("surface", variables["background"]))
        field = field + Color.parse(variables.get("boost", "transparent"))
        hint = _colour(variables["text-disabled"], field)
    except (ColorParseError, KeyError, ValueError):
        return variables["text-disabled"]
    colour = (field + hint).hex  # a translucent text colour as drawn on the field
    for behind in (field, background):
        colour = readable_on(colour, behind.hex)
    return colour


def _colour(value: str, behind: Color) -> Color:
    """A theme variable's colour; "auto 38%" (Textual's text-disabled) is the text colour
    that contrasts with `behind`, at that opacity."""
    name, _space, alpha = value.strip().partition(" ")
    if name != "auto":
        return Color.parse(value)
    return behind.get_contrast_text(float(alpha.rstrip("%")) / 100 if alpha else 1.0)


def _contrast(a: Color, b: Color) -> float:
    def luminance(c: Color) -> float:
        linear = [v / 255 / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in (c.r, c.g, c.b)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
