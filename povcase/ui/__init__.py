"""The desktop app: the only package that imports PySide6. It talks to povcase.services only."""
