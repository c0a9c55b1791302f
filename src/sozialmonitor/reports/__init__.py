"""Reports: shipped templates (Markdown with Jinja blocks) made from one published
release into a web report, an HTML file or a PDF (issue 14).

:mod:`~sozialmonitor.reports.template` reads the templates,
:mod:`~sozialmonitor.reports.source` reads the release through the read gate,
:mod:`~sozialmonitor.reports.elements` and :mod:`~sozialmonitor.reports.records`
make the live elements, :mod:`~sozialmonitor.reports.engine` renders a template,
:mod:`~sozialmonitor.reports.document` and :mod:`~sozialmonitor.reports.pdf` write
the files and :mod:`~sozialmonitor.reports.making` ties them together.
"""
