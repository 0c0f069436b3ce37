"""The parts of an edition joined into one PDF, as if printed whole.

The first part (the front: cover, contents) gives the document its catalog:
metadata, language, viewer preferences, PDF/UA or PDF/A identification. The
pages of every other part are appended, and what WeasyPrint wrote per part is
made whole again with pikepdf:
- the structure tree: each part's top-level elements become children of the
  first part's `Document` element, and the parent tree (which maps each page's
  marked content and each link to its element) is renumbered part by part;
- named destinations: one name tree of every part's own anchors, so a link
  that named an anchor of another part now lands there;
- bookmarks: each part's outline, in order;
- page labels: each label page (`page_labels`) drawn onto its page as a form,
  marked as a pagination artifact so that screen readers skip it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

_LABEL = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq %s Do Q\nEMC\n"


@dataclass(frozen=True)
class PartPdf:
    pdf: bytes
    anchors: Sequence[str]  # the part's own ids: its other named destinations are stand-ins


def join(parts: Sequence[PartPdf], labels: Sequence[tuple[int, bytes]] = ()) -> bytes:
    """One PDF of `parts` in order, with each label document's pages drawn from page index `start` on."""
    out = pikepdf.open(io.BytesIO(parts[0].pdf))
    try:
        tree = _StructTree(out)
        destinations = _own_destinations(out, out, parts[0].anchors)
        bookmarks = []
        for part in parts[1:]:
            # Each part is closed once copied, so that a book of 1000 parts is not all open at once.
            with pikepdf.open(io.BytesIO(part.pdf)) as source:
                first = len(out.pages)
                with warnings.catch_warnings():  # that named destinations are not carried over: done below
                    warnings.simplefilter("ignore", getattr(pikepdf, "PageCopyWarning", UserWarning))
                    out.pages.extend(source.pages)  # pages first: what refers to them then maps to the copies
                tree.append(source, out.pages[first:])
                destinations.update(_own_destinations(source, out, part.anchors))
                bookmarks.extend(_outline(source, out))
                _own_streams([page.obj for page in out.pages[first:]])
        _set_destinations(out, destinations)
        if bookmarks:
            with out.open_outline() as outline:
                outline.root.extend(bookmarks)
        for start, data in labels:
            with pikepdf.open(io.BytesIO(data)) as label_pdf:
                _own_streams(_draw_labels(out, label_pdf, start))
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()
    finally:
        out.close()


class _StructTree:
    """The first part's structure tree, to which the other parts' elements are added."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.Root.get("/StructTreeRoot")
        if self.root is None:
            return
        self.document = self.root.K[0] if isinstance(self.root.K, Array) else self.root.K
        self.nums = Array(_number_tree(self.root.ParentTree))
        self.next_key = _next_key(self.nums)
        self.root.ParentTree = pdf.make_indirect(Dictionary(Nums=self.nums))
        self.root.ParentTreeNextKey = self.next_key

    def append(self, source: pikepdf.Pdf, pages) -> None:
        if self.root is None or "/StructTreeRoot" not in source.Root:
            return
        root = source.Root.StructTreeRoot
        document = root.K[0] if isinstance(root.K, Array) else root.K
        kids = document.K if isinstance(document.K, Array) else Array([document.K])
        for kid in kids:
            if isinstance(kid, Dictionary) and "/P" in kid:
                del kid.P  # so that copying does not bring the part's own tree root along
        for kid in kids:
            copied = self.pdf.copy_foreign(kid)
            copied.P = self.document
            self.document.K.append(copied)
        shift = self.next_key
        nums = _number_tree(root.ParentTree)
        for key, value in zip(nums[::2], nums[1::2]):
            self.nums.append(int(key) + shift)
            self.nums.append(_copied(self.pdf, value))
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + shift
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + shift
        self.next_key = shift + _next_key(nums)
        self.root.ParentTreeNextKey = self.next_key


def _copied(pdf: pikepdf.Pdf, value):
    """A value of another PDF in `pdf`: indirect objects are copied (once: pikepdf remembers them)."""
    if isinstance(value, Array) and not value.is_indirect:
        return Array([_copied(pdf, item) for item in value])
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return pdf.copy_foreign(value)
    return value


def _number_tree(node) -> list:
    """The flat [key, value, key, value...] of a PDF number tree."""
    if "/Nums" in node:
        return list(node.Nums)
    return [item for kid in node.get("/Kids", ()) for item in _number_tree(kid)]


def _next_key(nums) -> int:
    return max((int(key) for key in list(nums)[::2]), default=-1) + 1


def _name_tree(node) -> list:
    if "/Names" in node:
        return list(node.Names)
    return [item for kid in node.get("/Kids", ()) for item in _name_tree(kid)]


def _own_destinations(source: pikepdf.Pdf, out: pikepdf.Pdf, own: Sequence[str]) -> dict[str, object]:
    dests = source.Root.get("/Names", Dictionary()).get("/Dests")
    if dests is None:
        return {}
    wanted = set(own)
    flat = _name_tree(dests)
    return {str(name): _copied(out, dest) if source is not out else dest
            for name, dest in zip(flat[::2], flat[1::2]) if str(name) in wanted}


def _set_destinations(out: pikepdf.Pdf, destinations: dict[str, object]) -> None:
    if not destinations:
        return
    names = Array()
    for name in sorted(destinations):  # a name tree's leaves are sorted
        names.append(pikepdf.String(name))
        names.append(destinations[name])
    if "/Names" not in out.Root:
        out.Root.Names = Dictionary()
    out.Root.Names.Dests = out.make_indirect(Dictionary(Names=names))


def _outline(source: pikepdf.Pdf, out: pikepdf.Pdf) -> list[pikepdf.OutlineItem]:
    with source.open_outline() as outline:
        return [_bookmark(item, out) for item in outline.root]


def _bookmark(item: pikepdf.OutlineItem, out: pikepdf.Pdf) -> pikepdf.OutlineItem:
    copy = pikepdf.OutlineItem(item.title)
    if item.destination is not None:
        copy.destination = _copied(out, item.destination)
    copy.is_closed = item.is_closed
    copy.children.extend(_bookmark(child, out) for child in item.children)
    return copy


def _draw_labels(out: pikepdf.Pdf, labels: pikepdf.Pdf, start: int) -> list:
    """Draw each label page onto its page; returns the forms drawn."""
    forms = []
    for offset, label in enumerate(labels.pages):
        if b"BT" not in label.obj.Contents.read_bytes():
            continue  # a page without a label (the cover)
        page = out.pages[start + offset]
        form = out.copy_foreign(label.as_form_xobject())
        # Named by its page (a random name would make builds differ); WeasyPrint gives all pages of
        # a part one resource dictionary, so the name must differ from page to page.
        name = page.add_resource(form, Name.XObject, Name(f"/PageLabel{start + offset + 1}"), replace_existing=False)
        # The part's own drawing is closed off first: it leaves its coordinate system changed.
        page.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(out, b"Q\n" + _LABEL % str(name).encode()))
        forms.append(form)
    return forms


def _own_streams(objects: list) -> None:
    """Give the copied streams reachable from `objects` their data, so that the PDF they were
    copied from can be closed (pikepdf reads a copied stream's data from its source when saving)."""
    seen: set[tuple[int, int]] = set()
    pending = list(objects)
    while pending:
        node = pending.pop()
        if isinstance(node, Array):
            pending.extend(item for item in node if isinstance(item, (Array, Dictionary, pikepdf.Stream)))
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if isinstance(node, pikepdf.Stream):
            node.write(node.read_raw_bytes(), filter=node.get("/Filter"), decode_parms=node.get("/DecodeParms"))
        for key, value in node.items():
            # Not up the page tree or the structure tree: only what the page draws with.
            if key not in ("/Parent", "/P") and isinstance(value, (Array, Dictionary, pikepdf.Stream)):
                pending.append(value)
