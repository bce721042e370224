## src/codec.mk: owned by its area; append only (+=).
