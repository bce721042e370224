## tests/fuzz/local.mk: owned by its area; append only (+=).
