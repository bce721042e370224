## src/net.mk: owned by its area; append only (+=).
