"""What PDF/UA-1 asks of the tagged PDF beyond what WeasyPrint's pdf/ua-1 variant writes,
done through WeasyPrint's public door for it: the `finisher` of `write_pdf`, which hands
over the pydyf document before it is written.

- Running headers and footers (the @page margin boxes: title, dates, "Page X of Y") are
  pagination artifacts. WeasyPrint tags their text but attaches the elements to no parent
  (ISO 32000-1 has no place for them in the tree), which leaves marked content that no
  structure element owns; here that content becomes `/Artifact <</Type /Pagination>>`
  and leaves the parent tree.
- A text run set in the Arabic face (the governorates' Arabic names, `lang="ar"` in the
  page) carries `/Lang (ar)` on its structure element.
- A link annotation is described (`/Contents`) by its text in the page, not by the raw
  target WeasyPrint writes there (`key-figures`).
- The page's one <main> is one Part of the tree, not one for each printed page.
- A Figure's bounding box is in the page's coordinates (points from its bottom left), not
  in CSS pixels from its top left.

    from reportlib.render import pdftags
    html.write_pdf(..., finisher=pdftags.finisher(page))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pydyf

ARABIC_FONT = b"Naskh-Arabic"  # the BaseFont WeasyPrint writes: "ABCDEF+Noto-Naskh-Arabic"


class _LinkTexts(HTMLParser):
    """The text of each link of the page, by its target (the first link to a target wins)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open.append((dict(attrs).get("href") or "", []))

    def handle_data(self, data):
        for _, parts in self._open:
            parts.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            href, parts = self._open.pop()
            text = re.sub(r"\s+", " ", "".join(parts)).strip()
            if href and text:
                self.texts.setdefault(href, text)


def link_texts(page: str) -> dict[str, str]:
    parser = _LinkTexts()
    parser.feed(page)
    parser.close()
    return parser.texts


def finisher(page: str) -> Callable:
    """The finisher for one page's PDF (WeasyPrint calls it with the document and the
    pydyf PDF before writing the trailer)."""
    texts = link_texts(page)

    def finish(document, pdf: pydyf.PDF) -> None:
        if "StructTreeRoot" not in pdf.catalog:
            return
        tagged = _Tagged(pdf)
        tagged.finish(texts)
        tagged.place_figures([page.width for page in document.pages])

    return finish


def _number(reference) -> int:
    return int(bytes(reference).split()[0]) if isinstance(reference, bytes) else int(str(reference).split()[0])


class _Tagged:
    def __init__(self, pdf: pydyf.PDF):
        self.pdf = pdf
        self.objects = pdf.objects

    def get(self, reference):
        return self.objects[_number(reference)]

    def reachable(self) -> set[int]:
        """The structure elements the tree owns, from its root down."""
        root = self.get(self.pdf.catalog["StructTreeRoot"])
        seen: set[int] = set()
        todo = [k for k in root["K"]]
        while todo:
            kid = todo.pop()
            if isinstance(kid, int) or not isinstance(kid, (bytes, str)):
                continue
            number = _number(kid)
            element = self.objects[number]
            if number in seen or not isinstance(element, dict) or element.get("Type") != "/StructElem":
                continue
            seen.add(number)
            todo.extend(element["K"])
        return seen

    def join_pages(self) -> None:
        """One Part for the page's one <main>, not one for each printed page: WeasyPrint
        tags each page's fragment of it apart, so the tree followed the pages rather than
        the document's sections."""
        root = self.get(self.pdf.catalog["StructTreeRoot"])
        for document in (self.get(k) for k in root["K"]):
            kept, part = [], None
            for kid in document["K"]:
                element = self.get(kid) if isinstance(kid, bytes) else None
                if element is not None and element.get("S") == "/Part" and part is not None:
                    for child in element["K"]:
                        part["K"].append(child)
                        if isinstance(child, bytes) and isinstance(self.get(child), dict) and \
                                self.get(child).get("Type") == "/StructElem":
                            self.get(child)["P"] = part.reference
                    element["K"] = pydyf.Array()
                    continue
                part = element if element is not None and element.get("S") == "/Part" else None
                kept.append(kid)
            document["K"] = pydyf.Array(kept)

    def finish(self, texts: dict[str, str]) -> None:
        self.join_pages()
        owned = self.reachable()
        self._scope_headers(owned)
        root = self.get(self.pdf.catalog["StructTreeRoot"])
        nums = self.get(root["ParentTree"])["Nums"]
        by_page = {nums[i]: nums[i + 1] for i in range(0, len(nums), 2) if isinstance(nums[i + 1], list)}
        for page in (o for o in self.objects if isinstance(o, dict) and o.get("Type") == "/Page"):
            mcids = by_page.get(page.get("StructParents"))
            if mcids is None:
                continue
            orphans = {mcid for mcid, ref in enumerate(mcids)
                       if isinstance(ref, bytes) and _number(ref) not in owned}
            arabic = self._mark(page, orphans)
            for mcid in orphans:
                mcids[mcid] = "null"
            for mcid in arabic - orphans:
                self.get(mcids[mcid])["Lang"] = pydyf.String("ar")
            self._describe_links(page, texts)

    def place_figures(self, css_widths: list[float]) -> None:
        """Figure bounding boxes in the page's own coordinates (points from the bottom left):
        WeasyPrint writes them in CSS pixels from the top left, which puts a figure low on
        the page below the page's bottom edge."""
        pages = [o for o in self.objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/Page"]
        by_reference = {page.reference: (page, width) for page, width in zip(pages, css_widths, strict=True)}
        for element in self.objects:
            if not isinstance(element, dict) or element.get("S") != "/Figure" or "A" not in element:
                continue
            layout = element["A"]
            found = by_reference.get(element.get("Pg"))
            if "BBox" not in layout or found is None:
                continue
            page, css_width = found
            left, _, right, top = (float(v) for v in page["MediaBox"])
            scale = (right - left) / css_width
            x1, y1, x2, y2 = (float(v) for v in layout["BBox"])
            layout["BBox"] = pydyf.Array([round(left + x1 * scale, 3), round(top - y2 * scale, 3),
                                          round(left + x2 * scale, 3), round(top - y1 * scale, 3)])

    def _scope_headers(self, owned: set[int]) -> None:
        """A header cell in the table's head heads its column; one in its body (a group or a
        total row's label) heads its row. WeasyPrint links the cells to their headers
        (/Headers, /ID) but writes no /Scope, which a checker reads first."""
        for number in owned:
            element = self.objects[number]
            if element.get("S") != "/TH":
                continue
            section = self.get(self.get(element["P"])["P"])
            scope = "/Column" if section.get("S") == "/THead" else "/Row"
            attributes = element.get("A")
            if not isinstance(attributes, dict):
                attributes = element["A"] = pydyf.Dictionary({"O": "/Table"})
            attributes["Scope"] = scope

    def _fonts(self, page) -> dict[str, bytes]:
        resources = self.get(page["Resources"])
        fonts = resources.get("Font") or {}
        if isinstance(fonts, bytes):
            fonts = self.get(fonts)
        names = {}
        for name, reference in fonts.items():
            font = self.get(reference) if isinstance(reference, bytes) else reference
            names[str(name)] = bytes(font.get("BaseFont") or b"")
        return names

    def _mark(self, page, orphans: set[int]) -> set[int]:
        """Turn the orphans' marked content into pagination artifacts; return the MCIDs whose
        text is set in the Arabic face."""
        fonts = self._fonts(page)
        stream = self.get(page["Contents"]).stream
        arabic: set[int] = set()
        open_mcids: list[int | None] = []
        for i, item in enumerate(stream):
            if item == b"BDC" and i >= 2 and isinstance(stream[i - 1], dict) and "MCID" in stream[i - 1]:
                mcid = stream[i - 1]["MCID"]
                open_mcids.append(mcid)
                if mcid in orphans:
                    stream[i - 2] = "/Artifact"
                    stream[i - 1] = pydyf.Dictionary({"Type": "/Pagination"})
            elif item in (b"BDC", b"BMC"):
                open_mcids.append(None)
            elif item == b"EMC":
                if open_mcids:
                    open_mcids.pop()
            elif isinstance(item, bytes) and item.endswith(b" Tf") and open_mcids and open_mcids[-1] is not None:
                name = item.split()[0].lstrip(b"/").decode("ascii", "replace")
                if ARABIC_FONT in fonts.get(name, b""):
                    arabic.add(open_mcids[-1])
        return arabic

    def _describe_links(self, page, texts: dict[str, str]) -> None:
        for reference in page.get("Annots") or []:
            annotation = self.get(reference)
            if annotation.get("Subtype") != "/Link":
                continue
            if "Dest" in annotation:
                target = "#" + _text(annotation["Dest"])
            elif "A" in annotation and "URI" in annotation["A"]:
                target = _text(annotation["A"]["URI"])
            else:
                continue
            text = texts.get(target)
            if text:
                annotation["Contents"] = pydyf.String(text)


def _text(value) -> str:
    string = getattr(value, "string", value)
    return string.decode("utf-8", "replace") if isinstance(string, bytes) else str(string)
