"""OCR fallback for pages whose text layer is missing or garbled: pypdfium2 renders, RapidOCR reads.

OCR results come back as pseudo-characters (text, box, size) in PDF points, so they go
through the same line grouping, XY-cut and roles as a real text layer. The models ship
inside the rapidocr_onnxruntime wheel; nothing is downloaded.

Memory: the text detector's working memory grows with the pixels it is given (a whole
A3 page at 144 dpi took a worker to ~850 MB), so a page is rendered and read in
overlapping horizontal strips, each at its natural size (never upscaled to the
detector's default 736-pixel minimum side).
"""

from __future__ import annotations

import functools
import io
import statistics
from typing import Any
from unittest import mock

SCALE = 2.0  # render at 144 dpi: newspaper body type (9–10 pt) reads reliably
MIN_SCORE = 0.5
STRIP = 120.0  # points of page height read at once (A3 width: 1684 × 240 pixels)
OVERLAP = 48.0  # points shared by neighbouring strips: more than the tallest headline line
Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


class OcrUnavailable(RuntimeError):
    """The OCR engine or the renderer cannot be loaded on this machine."""


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    """The RapidOCR engine, loaded once per process (models load in about a second)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
        from rapidocr_onnxruntime.utils.infer_engine import OrtInferSession
    except ImportError as exc:  # the pipeline still runs; garbled pages get no text
        raise OcrUnavailable(f"rapidocr_onnxruntime is not installed: {exc}") from exc
    # RapidOCR takes no session options: its builder is swapped for ours while it loads.
    with mock.patch.object(OrtInferSession, "_init_sess_opts", staticmethod(_session_options)):
        return RapidOCR(
            # Detect at the rendered size, never upscaled to the default 736-pixel short
            # side (that blew a 30-pixel line region up to 20,000 pixels wide).
            det_limit_type="max",
            det_limit_side_len=4000,
            max_side_len=4000,
            use_cls=False,  # rendered PDF text is never upside down
            rec_batch_num=1,  # a batch is padded to its widest line: six headlines took 300 MB
        )


def _session_options(config: dict[str, Any]) -> Any:
    """onnxruntime options for a small worker: one thread, an arena reused from strip to strip."""
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.log_severity_level = 4
    # Without the arena, freed tensors fragment the heap and the worker grows strip by strip.
    opts.enable_cpu_mem_arena = True
    opts.enable_mem_pattern = False  # a pattern per input shape is memory for every strip height
    opts.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    # Workers run in parallel processes; a second thread mostly spins (CPU time, no speed).
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return opts


class PageRenderer:
    """Renders pages of one PDF on demand (the document is opened at first use)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._doc: Any = None

    def _page(self, index: int) -> Any:
        import pypdfium2

        if self._doc is None:
            self._doc = pypdfium2.PdfDocument(io.BytesIO(self._data))
        return self._doc[index]

    def page_box(self, index: int, box: Box | None = None) -> Box:
        """`box` clipped to page `index`, or the whole page."""
        width, height = self._page(index).get_size()
        x0, top, x1, bottom = box or (0.0, 0.0, width, height)
        return max(0.0, x0), max(0.0, top), min(width, x1), min(height, bottom)

    def render(self, index: int, box: Box) -> Any:
        """The region `box` of page `index` (0-based, clipped) as an RGB array."""
        page = self._page(index)
        width, height = page.get_size()
        x0, top, x1, bottom = box
        crop = (x0, height - bottom, width - x1, top)  # left, bottom, right, top margins
        bitmap = page.render(scale=SCALE, crop=crop)
        try:
            return bitmap.to_numpy().copy()  # own the pixels so the bitmap can go now
        finally:
            bitmap.close()

    def close(self) -> None:
        """Release the pdfium document."""
        if self._doc is not None:
            self._doc.close()
            self._doc = None


def strips(box: Box) -> list[tuple[Box, float, float]]:
    """Overlapping strips covering `box`, each with the band of it whose lines it owns."""
    x0, top, x1, bottom = box
    out: list[tuple[Box, float, float]] = []
    start = top
    while True:
        end = min(bottom, start + STRIP)
        own_top = top if start == top else start + OVERLAP / 2
        own_bottom = bottom if end >= bottom else end - OVERLAP / 2
        out.append(((x0, start, x1, end), own_top, own_bottom))
        if end >= bottom:
            return out
        start = end - OVERLAP


def ocr_chars(renderer: PageRenderer, index: int, box: Box | None = None) -> list[dict[str, Any]]:
    """Characters OCR reads on a page (or one region of it), in PDF points."""
    chars: list[dict[str, Any]] = []
    for strip, own_top, own_bottom in strips(renderer.page_box(index, box)):
        for ch in _read(renderer.render(index, strip), strip[0], strip[1]):
            # A line near a strip's edge is read whole by its neighbour: keep it once.
            if own_top <= ch["centre"] < own_bottom:
                del ch["centre"]
                chars.append(ch)
    return _snap_sizes(chars)


def _read(image: Any, ox: float, oy: float) -> list[dict[str, Any]]:
    """OCR one rendered region whose top-left corner is (ox, oy) in points."""
    result, _elapsed = _engine()(image, return_word_box=True)
    chars: list[dict[str, Any]] = []
    for item in result or []:
        line_box, _text, score = item[0], item[1], item[2]
        if score < MIN_SCORE or len(item) < 5:
            continue
        ys = [p[1] for p in line_box]
        top, bottom = oy + min(ys) / SCALE, oy + max(ys) / SCALE
        size = _line_size(item[3], item[4], bottom - top)
        for char_box, text in zip(item[3], item[4], strict=False):
            if not text.strip():
                continue
            xs = [p[0] for p in char_box]
            chars.append(
                {
                    "text": text,
                    "x0": ox + min(xs) / SCALE,
                    "x1": ox + max(xs) / SCALE,
                    "top": top,
                    "bottom": bottom,
                    "size": round(size, 1),
                    "fontname": "OCR",
                    "matrix": None,
                    "centre": (top + bottom) / 2,
                }
            )
    return chars


def _line_size(boxes: list[Any], texts: list[str], height: float) -> float:
    """One size per OCR line: the width of its Chinese characters, which are square.

    A box's height is a little more than the type size, but the detector sometimes draws
    one box over a line and its neighbour; character widths are not fooled by that.
    """
    widths = [
        (max(p[0] for p in box) - min(p[0] for p in box)) / SCALE
        for box, text in zip(boxes, texts, strict=False)
        if len(text) == 1 and "\u4e00" <= text <= "\u9fff"
    ]
    if len(widths) >= 3:
        return min(statistics.median(widths), height)
    return height * 0.8


Rule = tuple[float, float, float]  # vertical (x, top, bottom) or horizontal (y, x0, x1)


def ink_layout(renderer: PageRenderer, index: int, size: float) -> tuple[list[Rule], list[Rule]]:
    """What a scan shows of its layout: column gutters, and the rules drawn across it."""
    width, height = renderer.page_box(index)[2:]
    gray = renderer.render(index, (0.0, 0.0, width, height)).mean(axis=2)
    ink = gray < 160
    return ink_gutters(ink, size), ink_rules(ink, size)


def ink_rules(ink: Any, size: float) -> list[Rule]:
    """Horizontal rules in a page image: unbroken ink ten characters long or more.

    Text never draws that: its characters are parted by white columns of pixels.
    """
    min_len = round(size * 10 * SCALE)
    rules: list[Rule] = []
    for y in range(ink.shape[0]):
        if ink[y].sum() < min_len:
            continue  # most rows: too little ink to hold a rule
        for lo, hi in _true_runs(ink[y]):
            if hi - lo >= min_len:
                top = y / SCALE
                if not rules or abs(rules[-1][0] - top) > 1.5 or rules[-1][1] != lo / SCALE:
                    rules.append((top, lo / SCALE, hi / SCALE))
    return rules


def ink_gutters(ink: Any, size: float) -> list[Rule]:
    """Column gutters seen in the page image: vertical white channels between inked columns.

    OCR's line detector reads across a gutter one character wide, so a multi-column scan
    comes back as lines running over several columns. A gutter is a channel at least
    0.6 of the type size wide, white over five lines or more with ink beside it on both sides on four of them; the
    spacing between characters is far narrower. Returned as vertical rules (x, top, bottom).
    """
    band = max(1, round(size * SCALE))  # one band a line high
    rows = ink.shape[0] // band
    inked = ink[: rows * band].reshape(rows, band, -1).any(axis=1)  # band × x
    min_w, need = max(2, round(size * 0.6 * SCALE)), 5
    rules = []
    for b0 in range(rows - need + 1):  # every window of five lines, so no line is missed
        block = inked[b0 : b0 + need]
        white = ~block.any(axis=0)
        for lo, hi in _true_runs(white):
            if hi - lo < min_w or lo == 0 or hi >= white.size:
                continue
            side = round(size * 2 * SCALE)
            # Every line has ink within two characters on both sides of the channel.
            near = block[:, max(0, lo - side) : lo].any(axis=1) & block[:, hi : hi + side].any(
                axis=1
            )
            if near.sum() >= need - 1:
                x = (lo + hi) / 2 / SCALE
                rules.append((x, b0 * band / SCALE, (b0 + need) * band / SCALE))
    return _merged(rules)


def _merged(rules: list[Rule]) -> list[Rule]:
    """Overlapping windows of one gutter as one rule."""
    out: list[Rule] = []
    for x, top, bottom in sorted(rules, key=lambda r: (round(r[0]), r[1])):
        if out and abs(out[-1][0] - x) <= 1.5 and top <= out[-1][2]:
            out[-1] = (out[-1][0], out[-1][1], max(out[-1][2], bottom))
        else:
            out.append((x, top, bottom))
    return out


def _true_runs(mask: Any) -> list[tuple[int, int]]:
    """Stretches where a boolean row is true, as (start, end)."""
    runs, start = [], None
    for x, w in enumerate(mask.tolist()):
        if w and start is None:
            start = x
        elif not w and start is not None:
            runs.append((start, x))
            start = None
    if start is not None:
        runs.append((start, len(mask)))
    return runs


def _snap_sizes(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OCR box heights jitter: sizes within 15% of the median become the median (body type)."""
    if not chars:
        return chars
    body = statistics.median(c["size"] for c in chars)
    for c in chars:
        if abs(c["size"] - body) <= body * 0.15:
            c["size"] = body
    return chars
