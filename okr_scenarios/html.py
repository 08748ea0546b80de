"""Small HTML building blocks for reports: every piece of text is escaped.

Plan text (names, hypotheses, notes) is untrusted: it is escaped wherever it lands, so a
plan that names an objective ``<script>alert(1)</script>`` shows exactly that text.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Mapping

import pandas as pd
from matplotlib.figure import Figure

PAGE_CSS = """
body { font-family: "Helvetica Neue", Arial, sans-serif; color: #111; max-width: 1100px;
       margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #999; }
h3 { margin-top: 1.2em; } .meta { color: #444; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.86em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; white-space: nowrap; }
tr.objective td { background: #f4f4f4; font-weight: bold; }
.flag { font-weight: bold; } .muted { color: #555; }
img { max-width: 100%; height: auto; } .jp-RenderedHTMLCommon, .output_html { overflow-x: auto; }
.anchor-link { display: none; }
.callout { border-left: 4px solid #555; padding: 0.3em 0.9em; background: #f6f6f6; }
@media print { body { max-width: none; margin: 0; } h2 { page-break-after: avoid; }
               img, table { page-break-inside: avoid; } }
"""


def esc(value: object) -> str:
    """Escaped text; None and NaN become an empty string."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)


class Html(str):
    """An HTML fragment that Jupyter displays as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


class FigureImage:
    """A matplotlib Figure that Jupyter displays as an embedded PNG, with its title as the
    image's alternative text."""

    def __init__(self, figure: Figure, dpi: int = 110):
        self.figure, self.dpi = figure, dpi

    @property
    def alt(self) -> str:
        titles = [self.figure.get_suptitle()] + [ax.get_title() for ax in self.figure.axes]
        return next((t.replace("\n", " ") for t in titles if t), "Chart")

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi)
        return buffer.getvalue()

    def _repr_png_(self) -> tuple[bytes, dict]:
        return self.png(), {"alt": self.alt}


def table(frame: pd.DataFrame, headers: Mapping[str, str] | None = None,
          formats: Mapping[str, Callable[[object], str]] | None = None,
          numeric: tuple[str, ...] = (), row_class: Callable[[pd.Series], str] | None = None
          ) -> Html:
    """An HTML table of ``frame``: columns renamed by ``headers``, cells formatted by
    ``formats`` and escaped; columns in ``numeric`` right-aligned."""
    headers = headers or {c: c for c in frame.columns}
    formats = formats or {}
    head = "".join(f"<th>{esc(headers[c])}</th>" for c in headers)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for column in headers:
            value = row[column]
            text = formats[column](value) if column in formats else value
            cls = ' class="num"' if column in numeric else ""
            cells.append(f"<td{cls}>{esc(text)}</td>")
        cls = f' class="{esc(row_class(row))}"' if row_class else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return Html(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def paragraphs(*texts: str) -> Html:
    """Plain-text paragraphs, escaped."""
    return Html("".join(f"<p>{esc(t)}</p>" for t in texts if t))


def page(title: str, body: str, subtitle: str = "") -> str:
    """A complete, self-contained HTML document: inline CSS, no scripts, no network."""
    sub = f'<p class="meta">{esc(subtitle)}</p>' if subtitle else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{PAGE_CSS}</style></head>"
            f"<body>{body if not sub else sub + body}</body></html>\n")


def percent_se(p: float, se: float) -> str:
    return f"{100 * p:.1f}% ± {100 * se:.1f}"
