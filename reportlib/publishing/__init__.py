"""Publishing: what `reportlib publish`, `correct` and `send` do, above the batch layer (a
publication asks the batch for a build; it is not beneath it).

    release        publishing an issue and correcting it; the records in inputs.records
    site, feed     the public archive site and its Atom feed, made from the records alone
    mail           mailing a published issue to a distribution list, at most once per version
    settings       the `publish:` and `mail:` keys of monitor.yaml
"""
