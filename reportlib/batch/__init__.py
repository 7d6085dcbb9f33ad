"""Building reports, one or many.

    plan           a task per period, its key, which periods are up to date
    quick          the single build's up-to-date check before anything heavy is loaded
    fingerprint    the key of a period's inputs; digest: hashes with the standard library only
    build          one period: execute, export, print, publish with its manifest
    deadline       the HTML export and the printing may run only so long
    runner         many periods: the command's worker processes, or a Dask cluster
    manifest       manifest.json: what went in, what came out
    outputs        the period folder: atomic files, the lock, what dead builds left
    progress       the batch's progress line
    guard          published issues stay as published: a build that would change one is refused
"""
