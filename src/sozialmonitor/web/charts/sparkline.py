"""Sparklines: a small inline SVG line of a series for tables, drawn on the server
without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from sozialmonitor.web.charts.spec import finite


def sparkline_svg(
    values: Sequence[float | None], *, label: str, width: int = 80, height: int = 20
) -> Markup:
    """A small inline SVG line of ``values``, for tables; no JavaScript involved.

    Missing values break the line; a dot marks the last value there is. The line
    takes the text colour (``currentColor``).

    Parameters
    ----------
    values
        The series in time order; ``None`` (or NaN) is a gap.
    label
        The accessible name (``aria-label``), e.g. ``"SGB-II-Quote 2015–2021"``;
        escaped here.
    width, height
        Size in pixels.

    Returns
    -------
    Markup
        The ``<svg>`` element, safe to put into a template as it is.

    Examples
    --------
    >>> svg = sparkline_svg([1.0, None, 3.0, 2.0], label="A & B", width=40, height=10)
    >>> 'aria-label="A &amp; B"' in svg, svg.count("<polyline")
    (True, 1)
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"a sparkline needs a positive size, not {width}×{height}")
    radius = 1.5
    pad = radius + 0.5
    cleaned = [finite(v) for v in values]
    known = [(i, v) for i, v in enumerate(cleaned) if v is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" '
        f'aria-label="{escape(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" focusable="false">'
    ]
    if known:
        low = min(v for _, v in known)
        high = max(v for _, v in known)
        step = (width - 2 * pad) / max(len(cleaned) - 1, 1)

        def point(index: int, value: float) -> tuple[str, str]:
            x = pad + index * step if len(cleaned) > 1 else width / 2
            share = (value - low) / (high - low) if high > low else 0.5
            return f"{x:.1f}", f"{height - pad - share * (height - 2 * pad):.1f}"

        segments: list[list[tuple[str, str]]] = [[]]
        for index, value in enumerate(cleaned):
            if value is None:
                segments.append([])
            else:
                segments[-1].append(point(index, value))
        for segment in segments:
            if len(segment) > 1:
                coordinates = " ".join(f"{x},{y}" for x, y in segment)
                parts.append(
                    f'<polyline points="{coordinates}" fill="none" '
                    'stroke="currentColor" stroke-width="1.2" '
                    'stroke-linejoin="round" stroke-linecap="round"/>'
                )
            elif segment:
                # A value between two gaps has no line; a small dot shows it.
                x, y = segment[0]
                parts.append(f'<circle cx="{x}" cy="{y}" r="0.8" fill="currentColor"/>')
        x, y = point(*known[-1])
        parts.append(
            f'<circle class="sparkline-last" cx="{x}" cy="{y}" r="{radius}" '
            'fill="currentColor"/>'
        )
    parts.append("</svg>")
    # The label is escaped above; everything else is numbers formatted here.
    return Markup("".join(parts))  # nosec B704
