"""HTTP request and response models (pydantic), separate from the tables: *Create for commands,
*Read and views out. One module per topic: commands, cases, statistics, assistance, calendar,
vocabulary."""
