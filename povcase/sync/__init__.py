"""Sync packages between a commune and its upstream office: format, keys, signing, encryption, checks.

Pure: no Qt, no SQL. The services read and write the register; this package turns record rows into a
signed, encrypted `.povsync` file and back, refusing anything it cannot vouch for. See docs/sync-format.md.
"""
