"""The lake: table schemas (the data contracts), the durable Parquet writer and readers."""
