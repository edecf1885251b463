"""Make page images and PDFs from text, for the OCR and PDF benchmarks, the tests and the sample archive.

Everything is rendered at run time from text given (corpus or sample text): no scans are shipped.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

# System fonts used when present (Debian's fonts-dejavu / fonts-liberation); Pillow's own font otherwise.
FONT_FILES = {
    "serif": "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "condensed": "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
    "mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
}


def font(name: str, size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A TrueType font by style name at a pixel size; Pillow's bundled font when the file is not here."""
    path = FONT_FILES.get(name)
    if path and Path(path).exists():
        return ImageFont.truetype(path, size_px)
    return ImageFont.load_default(size=size_px)


@dataclass(frozen=True)
class PageStyle:
    """How a page image is rendered and degraded."""

    font: str = "serif"
    points: float = 11.0
    dpi: int = 300
    columns: int = 1
    noise: float = 0.0  # share of pixels flipped to random grey (salt and pepper)
    skew: float = 0.0  # degrees
    jpeg: int = 0  # JPEG quality to round-trip through (0: none)
    blur: float = 0.0


def wrap_columns(text: str, chars: int) -> list[str]:
    """The text's paragraphs wrapped to lines of at most ``chars`` characters, a blank line between them."""
    lines: list[str] = []
    for para in text.split("\n\n"):
        para = " ".join(para.split())
        if para:
            lines.extend(textwrap.wrap(para, chars) or [""])
            lines.append("")
    return lines[:-1]


def render_page(text: str, style: PageStyle = PageStyle(), seed: int = 0, width_in: float = 8.27) -> Image.Image:
    """An A4-wide page image ('L' mode) of the text in the style, as tall as the text needs."""
    size_px = round(style.points * style.dpi / 72)
    face = font(style.font, size_px)
    margin = round(0.8 * style.dpi)
    gutter = round(0.35 * style.dpi)
    width = round(width_in * style.dpi)
    col_width = (width - 2 * margin - gutter * (style.columns - 1)) // style.columns
    avg = face.getlength("abcdefghijklmnopqrstuvwxyz etaoin") / 33
    lines = wrap_columns(text, max(10, int(col_width / avg)))
    line_h = round(size_px * 1.35)
    per_col = -(-len(lines) // style.columns)
    height = 2 * margin + per_col * line_h
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        col, row = divmod(i, per_col)
        draw.text((margin + col * (col_width + gutter), margin + row * line_h), line, fill=0, font=face)
    return degrade(image, style, seed)


def degrade(image: Image.Image, style: PageStyle, seed: int = 0) -> Image.Image:
    """Blur, skew, noise and JPEG artefacts as a scanner and a copier add them."""
    rng = random.Random(seed)
    if style.blur:
        image = image.filter(ImageFilter.GaussianBlur(style.blur))
    if style.skew:
        image = image.rotate(style.skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if style.noise:
        pixels = image.load()
        w, h = image.size
        for _ in range(int(w * h * style.noise)):
            pixels[rng.randrange(w), rng.randrange(h)] = rng.choice((0, 60, 200, 255))
    if style.jpeg:
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=style.jpeg)
        image = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    image.info["dpi"] = (style.dpi, style.dpi)
    return image


def image_bytes(image: Image.Image | Sequence[Image.Image], fmt: str = "PNG") -> bytes:
    """The image (or pages of a multi-page TIFF) encoded, with its resolution."""
    pages = [image] if isinstance(image, Image.Image) else list(image)
    buf = io.BytesIO()
    dpi = pages[0].info.get("dpi", (300, 300))
    extra = {"save_all": True, "append_images": pages[1:]} if len(pages) > 1 else {}
    if fmt == "TIFF":
        extra["compression"] = "tiff_deflate"
    pages[0].save(buf, fmt, dpi=dpi, **extra)
    return buf.getvalue()


def text_pdf(
    pages: Sequence[str],
    *,
    title: str = "",
    author: str = "",
    created: dt.datetime | None = None,
    columns: int = 1,
    points: float = 11,
    family: str = "Times",
    align: str = "L",
    font_file: str = "",
    char_spacing: float = 0.0,
    right_column_first: bool = False,
) -> bytes:
    """A born-digital PDF (a real text layer): each text given starts a new page (and runs on to more pages when
    long). fpdf2's core fonts (Latin-1) unless ``font_file`` names a TrueType font to embed (subset).
    ``right_column_first``: two columns side by side, the right one written first in the content stream."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(created or dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.set_auto_page_break(True, margin=15)
    if font_file:
        pdf.add_font("embedded", fname=font_file)
        family = "embedded"
    fix = (lambda t: t) if font_file else _latin1
    for text in pages:
        pdf.add_page()
        pdf.set_font(family, size=points)
        pdf.set_char_spacing(char_spacing)
        paras = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
        if right_column_first:
            half = (len(paras) + 1) // 2
            width = (pdf.epw - 8) / 2
            top = pdf.get_y()
            pdf.set_auto_page_break(False)
            for x, part in ((pdf.l_margin + width + 8, paras[half:]), (pdf.l_margin, paras[:half])):
                pdf.set_xy(x, top)
                pdf.multi_cell(width, points * 0.45, fix("\n\n".join(part)), align=align)
            pdf.set_auto_page_break(True, margin=15)
            continue
        if columns == 1:
            pdf.multi_cell(0, points * 0.5, fix("\n\n".join(paras)), align=align)
            continue
        with pdf.text_columns(ncols=columns, gutter=8, text_align=align) as cols:
            for para in paras:
                cols.write(fix(para) + "\n\n")
    return bytes(pdf.output())


def image_pdf(images: Sequence[Image.Image]) -> bytes:
    """A PDF of page images without any text layer: a scan."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    for image in images:
        pdf.add_page()
        pdf.image(image, x=0, y=0, w=pdf.w)
    return bytes(pdf.output())


def _latin1(text: str) -> str:
    """fpdf2's core fonts hold Latin-1 only: typographic quotes and dashes as their plain forms."""
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-", "…": "..."})
    return text.translate(table).encode("latin-1", "replace").decode("latin-1")


ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"


def alto_xml(pages: Sequence[Sequence[str]], *, line_chars: int = 60, reading_order: Sequence[str] = ()) -> bytes:
    """An ALTO v4 file: one <Page> per item, one <TextBlock> (ids TB1, TB2, ... across the file) per paragraph,
    lines of at most ``line_chars`` with <SP/> between words; a word that would cross a line's end is split
    there with a <HYP/> (as OCR software writes a hyphenated word). ``reading_order``: block ids for v4's
    <ReadingOrder> (blocks are then written in the reverse order, so only the reading order gets them right)."""
    from xml.sax.saxutils import quoteattr

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<alto xmlns="{ALTO_NS}">',
        "<Description><MeasurementUnit>pixel</MeasurementUnit>"
        "<sourceImageInformation><fileName>page.tif</fileName></sourceImageInformation></Description>",
    ]
    if reading_order:
        refs = "".join(f'<ElementRef ID="RO{n}" REF="{ref}"/>' for n, ref in enumerate(reading_order))
        out.append(f'<ReadingOrder><OrderedGroup ID="RO">{refs}</OrderedGroup></ReadingOrder>')
    out.append("<Layout>")
    block = 0
    for number, paragraphs in enumerate(pages, 1):
        blocks = []
        for para in paragraphs:
            block += 1
            lines, line = [], []
            for word in para.split():
                if line and sum(len(w if isinstance(w, str) else w[0]) + 1 for w in line) + len(word) > line_chars:
                    if len(word) > 6 and word.isalpha():  # split it: "harb-" / "our"
                        lines.append([*line, (word[:3], "HypPart1", word), ("-", "HYP", "")])
                        line = [(word[3:], "HypPart2", word)]
                        continue
                    lines.append(line)
                    line = []
                line.append(word)
            if line:
                lines.append(line)
            xml_lines = []
            for words in lines:
                parts = []
                for w in words:
                    if isinstance(w, tuple) and w[1] == "HYP":
                        parts.append('<HYP CONTENT="-"/>')
                        continue
                    if parts and not parts[-1].startswith("<HYP"):
                        parts.append("<SP/>")
                    if isinstance(w, tuple):
                        subs = f'SUBS_TYPE="{w[1]}" SUBS_CONTENT={quoteattr(w[2])}'
                        parts.append(f"<String CONTENT={quoteattr(w[0])} {subs}/>")
                    else:
                        parts.append(f"<String CONTENT={quoteattr(w)}/>")
                xml_lines.append(f"<TextLine>{''.join(parts)}</TextLine>")
            blocks.append(f'<TextBlock ID="TB{block}">{"".join(xml_lines)}</TextBlock>')
        if reading_order:
            blocks.reverse()
        out.append(f'<Page ID="P{number}" PHYSICAL_IMG_NR="{number}"><PrintSpace>{"".join(blocks)}</PrintSpace></Page>')
    out.append("</Layout></alto>")
    return "\n".join(out).encode("utf-8")


def mets_xml(
    paper: str,
    issued: str,
    alto_files: Sequence[str],
    articles: Sequence[tuple[str, Sequence[tuple[int, str]]]] = (),
) -> bytes:
    """A METS file for one newspaper issue: MODS title and dateIssued, the ALTO files, one page each.
    ``articles``: (LABEL, areas as (ALTO file number from 1, block id)) of each article of a logical structure
    map; each article has its own MODS record (written before the issue's, as some suppliers do)."""
    from xml.sax.saxutils import escape, quoteattr

    article_dmd = "".join(
        f'<mets:dmdSec ID="DMD_ART{n}"><mets:mdWrap MDTYPE="MODS"><mets:xmlData><mods:mods>'
        f"<mods:titleInfo><mods:title>{escape(label or 'Untitled')}</mods:title></mods:titleInfo>"
        "</mods:mods></mets:xmlData></mets:mdWrap></mets:dmdSec>\n"
        for n, (label, _) in enumerate(articles, 1)
    )
    logical = ""
    if articles:
        divs = "".join(
            f'<mets:div ID="LOG_ART{n}" TYPE="ARTICLE" DMDID="DMD_ART{n}"'
            + (f" LABEL={quoteattr(label)}" if label else "")
            + "><mets:fptr><mets:seq>"
            + "".join(f'<mets:area FILEID="ALTO{f}" BEGIN="{block}" BETYPE="IDREF"/>' for f, block in areas)
            + "</mets:seq></mets:fptr></mets:div>"
            for n, (label, areas) in enumerate(articles, 1)
        )
        logical = (
            f'<mets:structMap TYPE="LOGICAL"><mets:div TYPE="Newspaper" DMDID="DMD1">{divs}</mets:div>'
            "</mets:structMap>\n"
        )

    files = "".join(
        f'<mets:file ID="ALTO{n}" MIMETYPE="text/xml"><mets:FLocat LOCTYPE="URL" xlink:href={quoteattr(href)}/>'
        "</mets:file>"
        for n, href in enumerate(alto_files, 1)
    )
    pages = "".join(
        f'<mets:div TYPE="page" ORDER="{n}" ORDERLABEL="{n}"><mets:fptr FILEID="ALTO{n}"/></mets:div>'
        for n in range(1, len(alto_files) + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<mets:mets xmlns:mets="http://www.loc.gov/METS/" xmlns:mods="http://www.loc.gov/mods/v3" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        f"{article_dmd}"
        '<mets:dmdSec ID="DMD1"><mets:mdWrap MDTYPE="MODS"><mets:xmlData><mods:mods>'
        f"<mods:titleInfo><mods:title>{escape(paper)}</mods:title></mods:titleInfo>"
        f'<mods:originInfo><mods:dateIssued encoding="iso8601">{escape(issued)}</mods:dateIssued></mods:originInfo>'
        "</mods:mods></mets:xmlData></mets:mdWrap></mets:dmdSec>\n"
        f'<mets:fileSec><mets:fileGrp USE="ALTO">{files}</mets:fileGrp></mets:fileSec>\n'
        f'<mets:structMap TYPE="PHYSICAL"><mets:div TYPE="issue" DMDID="DMD1">{pages}</mets:div></mets:structMap>\n'
        f"{logical}"
        "</mets:mets>\n"
    ).encode()
