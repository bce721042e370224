## cmd/msend.mk: owned by its area; append only (+=).
