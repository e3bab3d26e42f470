"""Digital signatures on PDFs (pyhanko): development PKI, signing and verification."""
