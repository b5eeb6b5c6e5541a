//go:build !unix || wasm

package gguf

import "os"

// mmapFile is unavailable here; the caller reads through the file instead.
func mmapFile(*os.File, int64) ([]byte, func() error, error) { return nil, nil, nil }

// readPrivate is unavailable too; tensor data is read through the file.
func readPrivate(*os.File, int64) (holding, error) { return holding{}, nil }
