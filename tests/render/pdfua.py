"""The machine-checkable PDF/UA-1 (ISO 14289-1) rules that matter for the monitor, checked
with pikepdf where veraPDF cannot be installed. `problems(path)` lists every breach, each
naming its rule and where; an empty list is a pass. README.md lists the rules.

- 7.1: every piece of page content (text, paths, images, shadings, XObjects) is either
  marked as an Artifact or marked with an MCID that the parent tree maps to a structure
  element the tree owns;
- 7.1: each structure element's /P is the element (or root) whose /K holds it, and each
  MCID is owned by exactly the element the parent tree names;
- 7.2: the document has a /Lang, and text set in the Arabic face is in an element whose
  /Lang (its own or an ancestor's) is Arabic;
- 7.3: every Figure has a non-empty /Alt and a layout /BBox on its page;
- 7.5: every TH has a /Scope (Row or Column) and an /ID, and every TD's /Headers name THs
  of its own table;
- 7.18.1, 7.18.5: every Link annotation has a /Contents that is not a raw fragment id and
  belongs to a Link structure element through its /StructParent and an OBJR;
- 7.18.3: a page with annotations has /Tabs /S.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

ARABIC_FONT = "Naskh-Arabic"
PAINTING = {"Tj", "TJ", "'", '"', "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "Do", "sh", "INLINE IMAGE"}


def _key(obj) -> tuple[int, int]:
    return obj.objgen


def structure(pdf: pikepdf.Pdf) -> list[tuple[pikepdf.Dictionary, pikepdf.Object]]:
    """(element, the parent that lists it) for every element the tree owns, depth first."""
    root = pdf.Root.StructTreeRoot
    found, seen = [], set()

    def walk(node, parent):
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/OBJR" and "/S" in kid:
                if _key(kid) in seen:
                    continue
                seen.add(_key(kid))
                found.append((kid, parent))
                walk(kid, kid)

    walk(root, root)
    return found


def _lang(element) -> str:
    while element is not None and isinstance(element, pikepdf.Dictionary):
        if "/Lang" in element:
            return str(element.Lang)
        element = element.get("/P")
    return ""


def _parent_tree(pdf) -> dict[int, pikepdf.Object]:
    nums = pdf.Root.StructTreeRoot.ParentTree
    tree = {}

    def walk(node):
        if "/Nums" in node:
            values = node.Nums
            for i in range(0, len(values), 2):
                tree[int(values[i])] = values[i + 1]
        for kid in node.get("/Kids", []):
            walk(kid)

    walk(nums)
    return tree


def problems(path: Path) -> list[str]:
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        if not str(root.get("/Lang", "")):
            found.append("7.2: the document has no /Lang")
        if not root.get("/MarkInfo", {}).get("/Marked", False):
            found.append("7.1: /MarkInfo /Marked is not true")
        elements = structure(pdf)
        owned = {_key(e) for e, _ in elements}
        for element, parent in elements:
            if "/P" not in element or _key(element.P) != _key(parent):
                found.append(f"7.1: a {element.S} element's /P is not the element that holds it")
            kind = str(element.S)
            if kind == "/Figure" and not str(element.get("/Alt", "")).strip():
                found.append("7.3: a Figure has no /Alt")
            if kind == "/Figure" and not _on_its_page(element):
                found.append("7.3: a Figure's /BBox lies off its page")
            if kind == "/TH":
                attributes = element.get("/A", {})
                if str(attributes.get("/Scope", "")) not in ("/Row", "/Column", "/Both"):
                    found.append("7.5: a TH has no /Scope")
                if "/ID" not in element:
                    found.append("7.5: a TH has no /ID")
        _check_headers(elements, found)
        tree = _parent_tree(pdf)
        for number, page in enumerate(pdf.pages, start=1):
            _check_content(page, number, tree, owned, found)
            _check_links(page, number, tree, owned, found)
    return found


def _on_its_page(figure) -> bool:
    """The figure's layout bounding box (required of a Figure, 14.8.5.4.3 of ISO 32000-1)
    lies inside its page's MediaBox."""
    box = figure.get("/A", {}).get("/BBox")
    if box is None or "/Pg" not in figure:
        return False
    llx, lly, urx, ury = (float(v) for v in box)
    left, bottom, right, top = (float(v) for v in figure.Pg.MediaBox)
    return left <= llx < urx <= right and bottom <= lly < ury <= top


def _check_headers(elements, found) -> None:
    tables = [e for e, _ in elements if e.S == "/Table"]
    for table in tables:
        ids, cells = set(), []

        def walk(node, ids=ids, cells=cells):
            for kid in node.get("/K", []) if isinstance(node.get("/K"), pikepdf.Array) else []:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S == "/TH" and "/ID" in kid:
                        ids.add(bytes(kid.ID))
                    elif kid.S == "/TD":
                        cells.append(kid)
                    if kid.S != "/Table":
                        walk(kid)

        walk(table)
        for cell in cells:
            headers = cell.get("/A", {}).get("/Headers", [])
            if not headers:
                found.append("7.5: a TD names no header cell")
            elif any(bytes(h) not in ids for h in headers):
                found.append("7.5: a TD names a header cell outside its table")


def _check_content(page, number, tree, owned, found) -> None:
    mcids = tree.get(int(page.get("/StructParents", -1)))
    fonts = {str(name): str(font.get("/BaseFont", "")) for name, font in
             page.Resources.get("/Font", {}).items()}
    stack: list[tuple[str, int | None]] = []  # (tag, mcid)
    loose = 0
    font = ""
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BMC":
            stack.append((str(operands[0]), None))
        elif op == "BDC":
            properties = operands[1]
            mcid = int(properties.MCID) if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties \
                else None
            stack.append((str(operands[0]), mcid))
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op == "Tf":
            font = fonts.get(str(operands[0]), "")
        elif op in PAINTING:
            if any(tag == "/Artifact" for tag, _ in stack):
                continue
            mcid = next((m for _, m in reversed(stack) if m is not None), None)
            element = mcids[mcid] if mcids is not None and mcid is not None and mcid < len(mcids) else None
            if not isinstance(element, pikepdf.Dictionary) or _key(element) not in owned:
                loose += 1
                continue
            if op in ("Tj", "TJ", "'", '"') and ARABIC_FONT in font and not _lang(element).startswith("ar"):
                found.append(f"7.2: page {number}: Arabic text (MCID {mcid}) is in an element without /Lang ar")
    if loose:
        found.append(f"7.1: page {number}: {loose} painting operators neither Artifact nor owned by the "
                     "structure tree")


def _check_links(page, number, tree, owned, found) -> None:
    annotations = [a for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"]
    if annotations and page.get("/Tabs") != "/S":
        found.append(f"7.18.3: page {number} has annotations but no /Tabs /S")
    for annotation in annotations:
        contents = str(annotation.get("/Contents", "")).strip()
        dest = annotation.get("/Dest")
        if not contents:
            found.append(f"7.18.1: page {number}: a link has no /Contents")
        elif dest is not None and contents == str(dest):
            found.append(f"7.18.1: page {number}: a link is described by its raw target {contents!r}")
        element = tree.get(int(annotation.get("/StructParent", -1)))
        if not isinstance(element, pikepdf.Dictionary) or element.get("/S") != "/Link" or _key(element) not in owned:
            found.append(f"7.18.5: page {number}: a link annotation is in no Link structure element")
            continue
        kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
        if not any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR" and _key(k.Obj) == _key(annotation)
                   for k in kids):
            found.append(f"7.18.5: page {number}: a Link element does not reference its annotation by OBJR")


def links(path: Path) -> list[tuple[int, str]]:
    """(page number, /Contents) of every link annotation."""
    with pikepdf.open(path) as pdf:
        return [(n, str(a.get("/Contents", ""))) for n, page in enumerate(pdf.pages, start=1)
                for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"]


def link_elements(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return sum(1 for e, _ in structure(pdf) if e.S == "/Link")
