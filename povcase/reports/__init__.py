"""Printed documents and spreadsheets, drawn from DTOs only (no SQL, no Qt): support plans, posting
lists, the year's lists, sponsor sheets, certificates and the commune report (PDF with reportlab,
Excel with openpyxl)."""
