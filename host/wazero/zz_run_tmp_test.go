package wazero_test

import (
	"context"
	"os"
	"testing"

	wz "github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

func TestRunWasmTests(t *testing.T) {
	ctx := context.Background()
	r := wz.NewRuntime(ctx)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	b, _ := os.ReadFile("/tmp/ws1m.test.wasm")
	cfg := wz.NewModuleConfig().WithStdout(os.Stdout).WithStderr(os.Stderr).WithArgs("x", "-test.run", "^$", "-test.bench", ".", "-test.benchtime", "1s")
	_, err := r.InstantiateWithConfig(ctx, b, cfg)
	t.Log(err)
}
