"""The SQLite archive: schema, migrations, idempotent writes, versions and search.

Nothing outside this package writes SQL to the archive.
"""
