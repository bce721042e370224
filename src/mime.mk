## src/mime.mk: owned by its area; append only (+=).
