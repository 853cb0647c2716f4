"""Units of work, Qt-free: take an Actor, validate, write in one transaction, audit, and return
DTOs with a Changes record. The UI, the command line and the tests all go through here."""
