package api

import "encoding/json"

// Codec encodes and decodes JSON bodies. The Service never touches bytes
// itself; hosts choose the codec: the native server plugs in sonic, the
// WebAssembly builds keep StdCodec so that no JIT-based package is linked.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// StdCodec is encoding/json.
type StdCodec struct{}

// Marshal is json.Marshal.
func (StdCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal is json.Unmarshal.
func (StdCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
