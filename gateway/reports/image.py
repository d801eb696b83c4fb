"""The Open Graph image of a report: 1200x630 PNG with the domain, totals and the link-type bar.

Link types are told apart by pattern and label as well as colour, like on the page.
"""

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from contracts.reports import StoredReport
from gateway.reports.stats import counts_by_type, domain_total, human_time, plural

SIZE = (1200, 630)
_MARGIN = 60
_INK = (28, 30, 34)
_MUTED = (90, 96, 105)
_BACKGROUND = (250, 250, 247)
_ACCENT = (0, 114, 178)
#: Okabe-Ito colours (distinguishable with colour-blindness), same as the page's chart.
_COLOURS: dict[str, tuple[int, int, int]] = {
    "dofollow": (0, 158, 115),
    "nofollow": (230, 159, 0),
    "mention": (0, 114, 178),
    "unknown": (120, 120, 120),
}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> Font:
    """DejaVu Sans when the system has it, else Pillow's bundled font."""
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, max_w: int, sizes: range, bold: bool = True) -> tuple[str, Font]:
    """The largest font of `sizes` that fits `text` in `max_w`; else the smallest, text ellipsised."""
    font = _font(sizes[0], bold)
    for size in sizes:
        font = _font(size, bold)
        if draw.textlength(text, font=font) <= max_w:
            return text, font
    while len(text) > 1 and draw.textlength(text + "…", font=font) > max_w:
        text = text[:-1]
    return text + "…", font


def _swatch(w: int, h: int, link_type: str) -> Image.Image:
    """A `w`x`h` tile in the link type's colour and pattern (solid, stripes, dots, cross-hatch)."""
    tile = Image.new("RGB", (max(1, w), max(1, h)), _COLOURS[link_type])
    draw = ImageDraw.Draw(tile)
    white = (255, 255, 255)
    if link_type == "nofollow":
        for x in range(-h, w, 16):
            draw.line([(x, h), (x + h, 0)], fill=white, width=4)
    elif link_type == "mention":
        for row, y in enumerate(range(7, h - 2, 14)):
            for x in range(7 + (7 if row % 2 else 0), w - 2, 14):
                draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=white)
    elif link_type == "unknown":
        for x in range(-h, w, 18):
            draw.line([(x, h), (x + h, 0)], fill=white, width=2)
            draw.line([(x, 0), (x + h, h)], fill=white, width=2)
    return tile


def _fill(image: Image.Image, box: tuple[int, int, int, int], link_type: str) -> None:
    x0, y0, x1, y1 = box
    if x1 > x0 and y1 > y0:
        image.paste(_swatch(x1 - x0, y1 - y0, link_type), (x0, y0))


def render_og_image(report: StoredReport) -> bytes:
    """The PNG bytes."""
    rows = report.payload.results
    counts = counts_by_type(rows)
    image = Image.new("RGB", SIZE, _BACKGROUND)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * _MARGIN
    draw.rectangle((0, 0, SIZE[0], 12), fill=_ACCENT)

    draw.text((_MARGIN, 52), "Backlinks report", font=_font(34), fill=_MUTED)
    domain, font = _fit(draw, report.domain, width, range(92, 39, -4))
    draw.text((_MARGIN, 100), domain, font=font, fill=_INK)
    totals = f"{plural(len(rows), 'referring page')}  ·  {plural(domain_total(rows), 'referring domain')}"
    draw.text((_MARGIN, 222), totals, font=_font(40), fill=_INK)

    # The stacked bar: segments are drawn left to right and end where the next begins.
    bar_top, bar_bottom = 320, 410
    total = len(rows)
    if total == 0:
        draw.rectangle((_MARGIN, bar_top, _MARGIN + width, bar_bottom), outline=_MUTED, width=3)
        draw.text((_MARGIN + 24, bar_top + 26), "no backlinks found", font=_font(34), fill=_MUTED)
    else:
        x = _MARGIN
        done = 0
        for link_type, n in counts.items():
            if not n:
                continue
            done += n
            end = _MARGIN + round(width * done / total)
            _fill(image, (x, bar_top, end, bar_bottom), link_type)
            x = end
        draw.rectangle((_MARGIN - 2, bar_top - 2, _MARGIN + width + 1, bar_bottom + 1), outline=_INK, width=2)

    # Legend, two columns: swatch (same pattern) + "type  count".
    for i, (link_type, n) in enumerate(counts.items()):
        x, y = _MARGIN + (i % 2) * (width // 2), 436 + (i // 2) * 56
        _fill(image, (x, y, x + 40, y + 40), link_type)
        draw.rectangle((x, y, x + 40, y + 40), outline=_INK, width=2)
        draw.text((x + 56, y + 2), f"{link_type}  {n:,}", font=_font(30), fill=_INK)

    draw.text((_MARGIN, 568), f"Scanned {human_time(report.payload.scanned_at)}", font=_font(26), fill=_MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
