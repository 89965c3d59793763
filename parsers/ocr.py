"""OCR fallback for pages whose text layer is missing or garbled: pypdfium2 renders, RapidOCR reads.

OCR results come back as pseudo-characters (text, box, size) in PDF points, so they go
through the same line grouping, XY-cut and roles as a real text layer. The models ship
inside the rapidocr_onnxruntime wheel; nothing is downloaded.
"""

from __future__ import annotations

import functools
import io
import statistics
from typing import Any

SCALE = 2.0  # render at 144 dpi: newspaper body type (9–10 pt) reads reliably
MIN_SCORE = 0.5
Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


class OcrUnavailable(RuntimeError):
    """The OCR engine or the renderer cannot be loaded on this machine."""


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    """The RapidOCR engine, loaded once per process (models load in about a second)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # the pipeline still runs; garbled pages get no text
        raise OcrUnavailable(f"rapidocr_onnxruntime is not installed: {exc}") from exc
    return RapidOCR()


class PageRenderer:
    """Renders pages of one PDF on demand (the document is opened at first use)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._doc: Any = None

    def render(self, index: int, box: Box | None = None) -> tuple[Any, Box]:
        """Page `index` (0-based) as an RGB array, cropped to `box`; returns the box drawn."""
        import pypdfium2

        if self._doc is None:
            self._doc = pypdfium2.PdfDocument(io.BytesIO(self._data))
        page = self._doc[index]
        width, height = page.get_size()
        x0, top, x1, bottom = box or (0.0, 0.0, width, height)
        x0, top, x1, bottom = max(0.0, x0), max(0.0, top), min(width, x1), min(height, bottom)
        crop = (x0, height - bottom, width - x1, top)  # left, bottom, right, top margins
        bitmap = page.render(scale=SCALE, crop=crop)
        return bitmap.to_numpy(), (x0, top, x1, bottom)

    def close(self) -> None:
        """Release the pdfium document."""
        if self._doc is not None:
            self._doc.close()
            self._doc = None


def ocr_chars(renderer: PageRenderer, index: int, box: Box | None = None) -> list[dict[str, Any]]:
    """Characters OCR reads on a page (or one region of it), in PDF points."""
    image, (ox, oy, _, _) = renderer.render(index, box)
    result, _elapsed = _engine()(image, return_word_box=True)
    chars: list[dict[str, Any]] = []
    for item in result or []:
        line_box, _text, score = item[0], item[1], item[2]
        if score < MIN_SCORE or len(item) < 5:
            continue
        ys = [p[1] for p in line_box]
        # One size per OCR line: its box height, a little more than the type size.
        size = (max(ys) - min(ys)) / SCALE * 0.8
        for char_box, text in zip(item[3], item[4], strict=False):
            if not text.strip():
                continue
            xs = [p[0] for p in char_box]
            chars.append(
                {
                    "text": text,
                    "x0": ox + min(xs) / SCALE,
                    "x1": ox + max(xs) / SCALE,
                    "top": oy + min(ys) / SCALE,
                    "bottom": oy + max(ys) / SCALE,
                    "size": round(size, 1),
                    "fontname": "OCR",
                    "matrix": None,
                }
            )
    return _snap_sizes(chars)


def _snap_sizes(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OCR box heights jitter: sizes within 15% of the median become the median (body type)."""
    if not chars:
        return chars
    body = statistics.median(c["size"] for c in chars)
    for c in chars:
        if abs(c["size"] - body) <= body * 0.15:
            c["size"] = body
    return chars
