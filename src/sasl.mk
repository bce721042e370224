## src/sasl.mk: owned by its area; append only (+=).
