"""Rendering: an executed notebook to the reader's files. Every build uses it; nothing here
publishes, mails or decides which periods to build.

    execute        run a report notebook with papermill on a kernel the caller started
    html           the reader's page: nbconvert's `monitor` exporter (entry point)
    pdf            the page printed by WeasyPrint to tagged A4; printer: the single build's print process
    assets         the templates and stylesheet shipped in the package (templates/)
    pages          the Jinja2 environment of the archive page, the public site and the mails
    archive        outputs/index.html: every report built, from the manifests
"""
