"""Pure rules of the poverty review: no Qt, no SQL. Everything here is data or a function of data."""
