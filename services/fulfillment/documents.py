"""The documents of the Liegenschaftsauskunft: the map of the parcel, the QR code of the
verification address and the extract as PDF."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.template.loader import render_to_string
from django.utils import timezone

from services.fulfillment.models import CadastralOrder, Parcel, Product
from tenants.selectors import district_name

# Tagged PDF for screen readers (PDF/UA-1; WeasyPrint writes the structure tree, /Lang from
# <html lang>, the title from <title> with DisplayDocTitle); checked in tests/cases/test_pdf_ua.py.
PDF_VARIANT = "pdf/ua-1"


def map_svg(parcel: Parcel, *, width_mm: float = 160, height_mm: float = 105) -> str:
    """The parcel and its neighbours in the same Flur, scale bar and north arrow, as SVG."""
    neighbours = list(
        Parcel.objects.filter(gemarkung=parcel.gemarkung, flur=parcel.flur).exclude(pk=parcel.pk)
    )
    xs = [x for x, _ in parcel.polygon]
    ys = [y for _, y in parcel.polygon]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) * 3 or 100
    scale = min(width_mm, height_mm) / span  # mm per metre

    def project(points):
        return " ".join(
            f"{width_mm / 2 + (x - cx) * scale:.2f},{height_mm / 2 - (y - cy) * scale:.2f}"
            for x, y in points
        )

    shapes = [
        f'<polygon points="{project(n.polygon)}" fill="#f2f2f2" stroke="#777" stroke-width="0.3"/>'
        for n in neighbours
    ]
    shapes.append(
        f'<polygon points="{project(parcel.polygon)}" fill="#ffd8a8" stroke="#b00" '
        'stroke-width="0.8"/>'
    )
    bar_m = next(v for v in (5, 10, 20, 25, 50, 100, 200, 500) if v * scale >= 15)
    bar_mm = bar_m * scale
    scale_ratio = round(1000 / scale)
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{width_mm}mm" height="{height_mm}mm"
 viewBox="0 0 {width_mm} {height_mm}" role="img" aria-label="Lageplan">
<rect width="{width_mm}" height="{height_mm}" fill="#fff" stroke="#000" stroke-width="0.3"/>
{"".join(shapes)}
<g transform="translate(8,{height_mm - 8})"><rect width="{bar_mm:.2f}" height="2" fill="#000"/>
<text y="-2" font-size="3">0</text>
<text x="{bar_mm:.2f}" y="-2" font-size="3" text-anchor="end">{bar_m} m</text>
<text y="6" font-size="3">Maßstab ca. 1:{scale_ratio}</text></g>
<g transform="translate({width_mm - 12},14)"><polygon points="0,-9 4,4 0,1 -4,4" fill="#000"/>
<text y="9" font-size="4" text-anchor="middle">N</text></g>
</svg>"""


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=6)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def svg_data_uri(svg: str) -> str:
    """An SVG as an <img> source: an image with alt text is tagged as a Figure with /Alt in
    the PDF/UA structure tree (inline SVG would be a Figure without one)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_extract(order: CadastralOrder, *, verify_url: str) -> bytes:
    """The extract as tagged PDF (PDF/UA-1: language, title, structure tree; rendered outside
    any transaction: it takes a moment)."""
    from weasyprint import HTML  # heavy (~0.5 s): loaded by the processes that render only

    html = render_to_string(
        "fulfillment/extract.html",
        {
            "order": order,
            "parcel": order.parcel,
            "map_src": svg_data_uri(map_svg(order.parcel)),
            "qr_src": svg_data_uri(qr_svg(verify_url)),
            "verify_url": verify_url,
            "owners": list(order.parcel.owners.all()) if order.product == Product.OWNERSHIP else [],
            "now": timezone.localtime(),
            "district_name": district_name("Kreis"),
        },
    )
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
