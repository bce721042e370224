## cmd/mparse.mk: owned by its area; append only (+=).
