"""The public web app: the SPARQL endpoint and, later, linked-data pages and downloads."""
