"""The straight horizontal and vertical lines drawn on a PDF page: table rules and cell borders.

Part of the first step of ingest (PDF → *layout*): :mod:`ingest.layout` reads a table whose rows or
columns are separated by drawn lines (a grid, or rules between rows) from these lines rather than
from the positions of its text alone, so that cells of several lines, text centred in its cell and a
table standing beside running text come out as rows. Lines come from pdfium's path objects: thin
filled rectangles (how word processors draw borders) and the straight segments of stroked paths.
"""

from __future__ import annotations

import ctypes
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

THIN = 2.5  # points: a path this narrow is a line
MIN_LENGTH = 6.0  # points: a shorter line is a tick or a dot, not a rule
MAX_SEGMENTS = 64  # a path with more segments is a drawing (chart, logo), not table borders
MAX_PATHS = 4000  # a page with more paths is an illustration: its lines are not read


class Rule(NamedTuple):
    """A horizontal (``y0 == y1``) or vertical (``x0 == x1``) line in the layout's coordinates: points,
    with the text upright and y growing downwards (see ``ingest.layout``)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return self.y0 == self.y1


def page_rules(page: pdfium.PdfPage, angle: int = 0) -> list[Rule]:
    """The page's rules, turned like its text (``angle``: the counter-clockwise rotation of the text
    direction, 0/90/180/270). Empty when the page has none or is a drawing."""
    rules: list[Rule] = []
    try:
        paths = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1))
    except Exception:
        return []
    if len(paths) > MAX_PATHS:
        return []
    for path in paths:
        left, bottom, right, top = path.get_bounds()
        if right - left <= THIN and top - bottom >= MIN_LENGTH:
            x = (left + right) / 2
            rules.append(_upright((x, bottom, x, top), angle))
        elif top - bottom <= THIN and right - left >= MIN_LENGTH:
            y = (bottom + top) / 2
            rules.append(_upright((left, y, right, y), angle))
        else:
            rules.extend(_upright(segment, angle) for segment in _stroked_segments(path))
    return rules


def _stroked_segments(path: pdfium.PdfObject) -> list[tuple[float, float, float, float]]:
    """Axis-parallel straight segments of a stroked path (a rectangle drawn as an outline, a polyline)."""
    fill, stroke = ctypes.c_int(), pdfium_c.FPDF_BOOL()
    if not pdfium_c.FPDFPath_GetDrawMode(path.raw, fill, stroke) or not stroke.value:
        return []
    count = pdfium_c.FPDFPath_CountSegments(path.raw)
    if count < 2 or count > MAX_SEGMENTS:
        return []
    a, b, c, d, e, f = path.get_matrix().get()
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[int, float, float, bool]] = []
    for i in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(path.raw, i)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        closes = bool(pdfium_c.FPDFPathSegment_GetClose(segment))
        points.append((kind, a * x.value + c * y.value + e, b * x.value + d * y.value + f, closes))
    out = []
    start = previous = None
    for kind, px, py, closes in points:
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = previous = (px, py)
            continue
        if previous is not None and kind == pdfium_c.FPDF_SEGMENT_LINETO:
            out.append((*previous, px, py))
        previous = (px, py)
        if closes and start is not None:
            out.append((px, py, *start))
    return [s for s in out if _straight(s)]


def _straight(s: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = s
    return (abs(x1 - x0) < 0.5 and abs(y1 - y0) >= MIN_LENGTH) or (abs(y1 - y0) < 0.5 and abs(x1 - x0) >= MIN_LENGTH)


def _upright(s: tuple[float, float, float, float], angle: int) -> Rule:
    """A segment in user space (y up) → the layout's coordinates for text turned by ``angle``."""
    x0, y0, x1, y1 = s
    if angle == 90:
        p0, p1 = (y0, x0), (y1, x1)
    elif angle == 180:
        p0, p1 = (-x0, y0), (-x1, y1)
    elif angle == 270:
        p0, p1 = (-y0, -x0), (-y1, -x1)
    else:
        p0, p1 = (x0, -y0), (x1, -y1)
    (ax, ay), (bx, by) = sorted([p0, p1])
    if abs(ay - by) < 0.5:
        ay = by = round((ay + by) / 2, 2)
        ax, bx = min(ax, bx), max(ax, bx)
    elif abs(ax - bx) < 0.5:
        ax = bx = round((ax + bx) / 2, 2)
        ay, by = min(ay, by), max(ay, by)
    return Rule(ax, ay, bx, by)
