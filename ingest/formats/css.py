"""Just enough CSS to tell whether an HTML element's text is hidden from a reader.

Hidden: display:none, visibility:hidden, font-size:0, opacity:0, pushed off-screen, or a text
colour (nearly) equal to its background (white on white). Colours: names, #hex, rgb()/rgba().
"""

from __future__ import annotations

import re

HIDDEN_CLASSES = frozenset(
    {"hidden", "d-none", "hide", "is-hidden", "invisible", "sr-only", "visually-hidden",
     "screen-reader-text", "screenreader-only"}
)

_NAMED = {
    "white": (255, 255, 255), "snow": (255, 250, 250), "ivory": (255, 255, 240),
    "ghostwhite": (248, 248, 255), "whitesmoke": (245, 245, 245), "floralwhite": (255, 250, 240),
    "azure": (240, 255, 255), "mintcream": (245, 255, 250), "seashell": (255, 245, 238),
    "black": (0, 0, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
    "silver": (192, 192, 192), "red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255),
    "navy": (0, 0, 128), "yellow": (255, 255, 0), "orange": (255, 165, 0),
}
_WHITE = (255, 255, 255)
_ZERO = re.compile(r"[+-]?0*\.?0+(?:px|pt|em|rem|%|vw|vh)?")
_NUMBER = re.compile(r"\s*([+-]?\d*\.?\d+)")
_COLOR_TOKEN = re.compile(r"#[0-9a-f]{3,8}\b|rgba?\([^)]{0,60}\)|\b[a-z]{3,12}\b")


def declarations(style: str) -> dict[str, str]:
    """'a: b; c: d' -> {'a': 'b', 'c': 'd'} (lowercased, !important dropped)."""
    out = {}
    for part in style[:5000].split(";"):
        name, sep, value = part.partition(":")
        if sep:
            value = value.lower().replace("!important", "").strip()
            out[name.strip().lower()] = value
    return out


def hides(decls: dict[str, str]) -> bool:
    """Declarations that hide an element whatever its background."""
    if decls.get("display") == "none" or decls.get("visibility") in ("hidden", "collapse"):
        return True
    if "font-size" in decls and _ZERO.fullmatch(decls["font-size"]):
        return True
    if "opacity" in decls and _ZERO.fullmatch(decls["opacity"]):
        return True
    for prop in ("text-indent", "left", "top", "margin-left"):
        m = _NUMBER.match(decls.get(prop, ""))
        if m and float(m.group(1)) <= -999:
            return True
    collapsed = any(_ZERO.fullmatch(decls.get(p, "1")) for p in ("height", "width", "max-height"))
    return decls.get("overflow") == "hidden" and collapsed


def parse_color(value: str) -> tuple[int, int, int] | None:
    """A CSS colour -> (r, g, b); None for unknown or transparent."""
    value = value.strip().lower()
    try:
        if value.startswith("#"):
            h = value[1:]
            if len(h) in (3, 4):
                if len(h) == 4 and h[3] == "0":
                    return None
                return tuple(int(c * 2, 16) for c in h[:3])  # type: ignore[return-value]
            if len(h) in (6, 8):
                if len(h) == 8 and h[6:] == "00":
                    return None
                return tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
            return None
        if value.startswith("rgb"):
            nums = re.findall(r"[\d.]+%?", value)
            if len(nums) < 3:
                return None
            if len(nums) >= 4 and float(nums[3].rstrip("%")) == 0:
                return None
            rgb = [float(n[:-1]) * 2.55 if n.endswith("%") else float(n) for n in nums[:3]]
            return tuple(max(0, min(255, round(c))) for c in rgb)  # type: ignore[return-value]
    except (ValueError, OverflowError):
        return None
    return _NAMED.get(value)


def background_of(decls: dict[str, str], bgcolor_attr: str | None) -> tuple[int, int, int] | None:
    for prop in ("background-color", "background"):
        if prop in decls:
            for token in _COLOR_TOKEN.findall(decls[prop]):
                color = parse_color(token)
                if color is not None:
                    return color
    if bgcolor_attr:
        return parse_color(bgcolor_attr)
    return None


def same_color(fg: tuple[int, int, int], bg: tuple[int, int, int] | None) -> bool:
    bg = bg or _WHITE
    return sum((a - b) ** 2 for a, b in zip(fg, bg)) ** 0.5 < 40


def hidden_selectors(css: str) -> tuple[set[str], set[str]]:
    """Simple '.class' and '#id' selectors that a stylesheet hides -> (classes, ids)."""
    classes: set[str] = set()
    ids: set[str] = set()
    for rule in css[:200_000].split("}"):
        selectors, sep, body = rule.partition("{")
        if not sep or not hides(declarations(body)):
            continue
        for sel in selectors.split(","):
            sel = sel.strip()
            if m := re.fullmatch(r"[a-zA-Z0-9]*\.([\w-]{1,80})", sel):
                classes.add(m.group(1))
            elif m := re.fullmatch(r"[a-zA-Z0-9]*#([\w-]{1,80})", sel):
                ids.add(m.group(1))
    return classes, ids
