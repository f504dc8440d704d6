"""PostgreSQL storage: the pool, versioned migrations, and the repository of records."""
