"""Print editions of a course: the learner workbook, the trainer edition, the certificate.

`editions` turns the course model into one HTML document per PDF (what each
reader may see is decided there, once); `worksheet` lays quiz questions out
for pen and paper and writes the answer key; `html_scope` makes each lesson's
ids and links unique within one document; `print_html` sets footnotes and
figures for the page; `glyphs` finds characters no installed font draws;
`pdf_render` renders the HTML
with WeasyPrint in parallel processes; `pdf_cache` keeps rendered PDFs by a
hash of everything they depend on.
"""
