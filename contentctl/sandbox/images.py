"""Real image files for the sandbox: PNG images and carousel slides, and PDFs of them."""

from __future__ import annotations

import hashlib
import io
import textwrap
import time
from collections.abc import Mapping, Sequence
from typing import Any

from PIL import Image, ImageDraw, ImageFont

SIZES = {
    "square": (1024, 1024),
    "feed": (1024, 1280),
    "portrait": (1024, 1820),
    "landscape": (1820, 1024),
}


def _color(seed: str) -> tuple[int, int, int]:
    h = hashlib.sha256(seed.encode()).digest()
    return (40 + h[0] % 120, 40 + h[1] % 120, 60 + h[2] % 140)


def _hex(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return (int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # pragma: no cover - Pillow without FreeType
        return ImageFont.load_default()


def _text_block(
    draw: ImageDraw.ImageDraw, text: str, x: int, y: int, width_chars: int, size: int, fill: Any
) -> int:
    font = _font(size)
    for line in textwrap.wrap(text, width=width_chars)[:8]:
        draw.text((x, y), line, font=font, fill=fill)
        y += int(size * 1.25)
    return y


def generated_image(prompt: str, size: str, index: int = 0) -> bytes:
    """An "AI image": a colour field derived from the prompt, with the prompt written on it."""
    width, height = SIZES.get(size, SIZES["square"])  # the size the API reports
    image = Image.new("RGB", (width, height), _color(prompt + str(index)))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (width * 0.55, height * 0.1, width * 1.2, height * 0.6),
        fill=_color(prompt[::-1] + str(index)),
    )
    k = width / 512  # the layout was drawn for 512 pixels across
    _text_block(draw, prompt, int(32 * k), height - int(200 * k), 28, int(28 * k), (255, 255, 255))
    return _png(image)


def slide_images(
    slides: Sequence[Mapping[str, Any]], template: Mapping[str, Any], brand: Mapping[str, Any]
) -> list[Image.Image]:
    # The pixels the output advertises (result.size.dimensions), not a thumbnail of them.
    width, height = _dimensions(str(template.get("size", "1080x1350")))
    colors = template.get("colors") or ["#101828", "#F5B700"]
    background, accent = _hex(colors[0]), _hex(colors[1])
    ink = (20, 20, 20) if sum(background) > 500 else (250, 250, 250)
    k = width / 540  # the layout was drawn for 540 pixels across

    def px(value: float) -> int:
        return int(value * k)

    out = []
    for i, slide in enumerate(slides):
        image = Image.new("RGB", (width, height), background)
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, width, px(14)), fill=accent)
        y = _text_block(draw, str(slide.get("heading", "")), px(36), px(90), 20, px(40), ink)
        for key, size in (("sub_heading", 26), ("description", 22), ("cta_button", 26)):
            if slide.get(key):
                y = _text_block(
                    draw,
                    str(slide[key]),
                    px(36),
                    y + px(24),
                    32,
                    px(size),
                    accent if key == "cta_button" else ink,
                )
        footer = f"{brand.get('name', '')}  {brand.get('handle', '')}".strip()
        draw.text((px(36), height - px(50)), footer, font=_font(px(20)), fill=ink)
        draw.text(
            (width - px(90), height - px(50)),
            f"{i + 1}/{len(slides)}",
            font=_font(px(20)),
            fill=accent,
        )
        out.append(image)
    return out


def png(image: Image.Image) -> bytes:
    return _png(image)


def pdf(images: Sequence[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    # Fixed dates: the same slides always make the same bytes.
    fixed = time.gmtime(1767225600)  # 2026-01-01
    images[0].save(
        buffer,
        format="PDF",
        save_all=True,
        append_images=list(images[1:]),
        creationDate=fixed,
        modDate=fixed,
    )
    return buffer.getvalue()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=3)
    return buffer.getvalue()


def _dimensions(size: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in size.lower().split("x"))
        return width, height
    except ValueError:
        return 1080, 1350
