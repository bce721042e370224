## src/smtp.mk: owned by its area; append only (+=).
