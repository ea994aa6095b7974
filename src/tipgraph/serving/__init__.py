"""What only the server needs: the query worker pool and its workers, each client's fair share
of them, and the cache of complete answers."""
