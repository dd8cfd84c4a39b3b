"""The progress chart as a PNG picture, for the Word report.

The chart is laid out once, as numbers, in progress.py; progress.html writes that
layout into SVG and this module paints the same layout with Pillow, element for
element (keys, grid lines, stacked segments with their patterns, the numbers, the
names under the bars), so Word shows the chart the PDF shows.  Every word painted
comes from the plan's chart; none is added here.
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

from .progress import Chart

#: Pixels per SVG unit: 720 units become 2,160 pixels, sharp when printed 17 cm wide.
SCALE = 3
INK = "#0B0C0C"
FONTS = {False: "LiberationSans-Regular.ttf", True: "LiberationSans-Bold.ttf"}


def _font(size: float, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Liberation Sans (the PDF's font; Pillow finds it under /usr/share/fonts), or
    Pillow's own scalable font where it is not installed."""
    try:
        return ImageFont.truetype(FONTS[bold], round(size * SCALE))
    except OSError:
        return ImageFont.load_default(round(size * SCALE))


def _rgba(colour: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    colour = colour.lstrip("#")
    return (int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16),
            round(255 * opacity))


def _box(x: float, y: float, width: float, height: float) -> list[float]:
    return [x * SCALE, y * SCALE, (x + width) * SCALE, (y + height) * SCALE]


def _pattern(name: str, size: tuple[int, int]) -> Image.Image:
    """A transparent layer of one of progress.html's patterns, over the whole chart."""
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    width, height = size
    if name == "dots":  # circles r 1.1 every 5 units
        step, radius = 5 * SCALE, 1.1 * SCALE
        for y in range(0, height, step):
            for x in range(0, width, step):
                cx, cy = x + step / 2, y + step / 2
                draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius],
                             fill=_rgba(INK, 0.6))
        return layer
    # stripes: dark lines 2 wide every 6, at 45 degrees; hatch: white lines 1.5 wide
    # every 7 both ways at 45 degrees
    period, line, colour, directions = (
        (6, 2, _rgba(INK, 0.45), (1,)) if name == "stripes"
        else (7, 1.5, _rgba(INK, 0.35), (1, -1)))
    spacing = period * math.sqrt(2) * SCALE
    for direction in directions:
        offset = -float(height)
        while offset < width + height:
            if direction == 1:
                start, end = (offset, 0), (offset - height, height)
            else:
                start, end = (offset - height, 0), (offset, height)
            draw.line([start, end], fill=colour, width=max(1, round(line * SCALE)))
            offset += spacing
    return layer


def _patterned(image: Image.Image, layers: dict, name: str, box: list[float]) -> None:
    if name not in layers:
        layers[name] = _pattern(name, image.size)
    area = (round(box[0]), round(box[1]), round(box[2]), round(box[3]))
    if area[2] <= area[0] or area[3] <= area[1]:
        return
    region = image.crop(area)
    image.paste(Image.alpha_composite(region, layers[name].crop(area)), area[:2])


def chart_png(chart: Chart) -> bytes:
    """The chart, painted as progress.html draws it, as PNG bytes."""
    image = Image.new("RGBA", (chart.width * SCALE, chart.height * SCALE), "#FFFFFF")
    draw = ImageDraw.Draw(image)
    layers: dict[str, Image.Image] = {}
    outline = max(1, round(0.75 * SCALE))

    def text(x, y, words, size, colour=INK, anchor="ls", bold=False):
        draw.text((x * SCALE, y * SCALE), words, fill=colour, font=_font(size, bold),
                  anchor=anchor)

    for key in chart.keys:
        box = _box(key.x, key.y - 11, 16, 16)
        draw.rectangle(box, fill=key.fill)
        if key.pattern:
            _patterned(image, layers, key.pattern, box)
        draw.rectangle(box, outline=INK, width=outline)
        text(key.x + 22, key.y + 1, key.status.label, 12)
    for tick in chart.ticks:
        zero = tick.value == 0
        draw.line([(chart.left - 4) * SCALE, tick.y * SCALE, chart.right * SCALE,
                   tick.y * SCALE], fill=INK if zero else "#D0D0D0",
                  width=max(1, round((1 if zero else 0.6) * SCALE)))
        text(chart.left - 8, tick.y + 4, str(tick.value), 11, "#4A4A4A", "rs")
    for bar in chart.bars:
        for seg in bar.segments:
            box = _box(bar.x, seg.y, bar.width, seg.height)
            draw.rectangle(box, fill=seg.fill)
            if seg.pattern:
                _patterned(image, layers, seg.pattern, box)
            draw.rectangle(box, outline=INK, width=outline)
        for seg in bar.segments:
            digits = len(str(seg.count))
            if seg.inside:
                draw.rounded_rectangle(
                    _box(seg.label_x - 4 - 3.4 * digits, seg.label_y - 7, 8 + 6.8 * digits,
                         14), radius=2 * SCALE, fill=seg.fill)
                text(seg.label_x, seg.label_y + 4, str(seg.count), 11, seg.ink, "ms", True)
            else:
                draw.line([(bar.x + bar.width) * SCALE, seg.leader_y * SCALE,
                           (seg.label_x - 2) * SCALE, seg.label_y * SCALE], fill=INK,
                          width=max(1, round(0.6 * SCALE)))
                text(seg.label_x, seg.label_y + 4, str(seg.count), 11, INK, "ls", True)
        text(bar.centre, bar.total_y, str(bar.total), 11, anchor="ms")
        for index, line in enumerate(bar.lines):
            text(bar.centre, chart.baseline + 16 + 13 * index, line,
                 chart.name_size if index == 0 else 10, INK if index == 0 else "#4A4A4A",
                 "ms")
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG", optimize=True)
    return out.getvalue()
