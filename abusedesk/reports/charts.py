"""Charts as SVG, drawn on the server: the PDF renderer runs no JavaScript, and a published
report must look the same in every viewer. Two shapes are enough for the report:
horizontal bars (a value per label) and columns (a value per month)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

INK = "#1f2937"
MUTED = "#6b7280"
BAR = "#2563eb"
RULE = "#dc2626"
FONT = 'font-family="DejaVu Sans, sans-serif"'


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "h":
        return f"{value:.2f} h"
    return f"{value:g}"


def bars(items: list[tuple[str, float | None]], unit: str = "", *, rule: float | None = None,
         rule_label: str = "", width: int = 640) -> str:
    """One horizontal bar per (label, value); None is drawn as "–". `rule` draws a limit line."""
    # Room for the longest label (about 6.2 px a character at 11 px), within reason.
    label_w = min(260, max(80, int(6.2 * max((len(str(label)) for label, _ in items), default=0)) + 10))
    value_w, row_h, top = 80, 22, 8
    plot_w = width - label_w - value_w
    present = [v for _, v in items if v is not None]
    top_value = max(present + ([rule] if rule else []) + [0]) or 1
    height = top + row_h * max(len(items), 1) + (22 if rule else 8)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" {FONT} font-size="11">']
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" fill="{INK}">{escape(label)}</text>')
        if value is None:
            out.append(f'<text x="{label_w + 4}" y="{y + 14}" fill="{MUTED}">–</text>')
            continue
        w = max(1.0, plot_w * value / top_value) if value else 0
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{BAR}"/>')
        out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" fill="{INK}">{escape(_fmt(value, unit))}</text>')
    if rule:
        x = label_w + plot_w * rule / top_value
        bottom = top + row_h * len(items)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="{RULE}" '
                   f'stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle" fill="{RULE}">'
                   f'{escape(rule_label)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 every text node above is escaped


def columns(items: list[tuple[str, float | None]], unit: str = "", *, width: int = 640,
            height: int = 180) -> str:
    """One column per (label, value), e.g. per month; the value is printed above each column."""
    left, bottom, top = 8, 30, 18
    n = max(len(items), 1)
    step = (width - 2 * left) / n
    present = [v for _, v in items if v is not None]
    top_value = max(present + [0]) or 1
    plot_h = height - bottom - top
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" {FONT} font-size="10">',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" stroke="{MUTED}"/>']
    for i, (label, value) in enumerate(items):
        x = left + i * step
        cx = x + step / 2
        out.append(f'<text x="{cx:.1f}" y="{height - bottom + 14}" text-anchor="middle" fill="{INK}">'
                   f'{escape(label)}</text>')
        if value is None:
            continue
        h = plot_h * value / top_value
        out.append(f'<rect x="{x + step * 0.15:.1f}" y="{height - bottom - h:.1f}" width="{step * 0.7:.1f}" '
                   f'height="{h:.1f}" fill="{BAR}"/>')
        out.append(f'<text x="{cx:.1f}" y="{height - bottom - h - 4:.1f}" text-anchor="middle" fill="{INK}">'
                   f'{escape(_fmt(value, unit))}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 every text node above is escaped
