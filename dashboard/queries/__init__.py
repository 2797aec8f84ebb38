"""SQL over the marts, one module per page; each function takes a runner and the filters."""
