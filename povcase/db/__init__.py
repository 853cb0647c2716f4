"""The only package that talks to SQLAlchemy's engine and models (services use it, the UI never)."""
