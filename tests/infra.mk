## tests/infra.mk: owned by its area; append only (+=).
