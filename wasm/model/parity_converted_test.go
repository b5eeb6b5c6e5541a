package model_test

// convertedParityCases are models written by our own GGUF writer and
// quantizer; see parity_test.go.
var convertedParityCases []parityCase
