"""Where the published graph lives: a versioned Oxigraph directory swapped atomically."""
