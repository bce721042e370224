## src/config.mk: owned by its area; append only (+=).
