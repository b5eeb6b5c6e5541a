// Package gguf reads and writes GGUF files (versions 2 and 3), the format in
// which llama.cpp-family models are published.
//
// Every count and size read from a file is capped and checked against the
// file's length before anything is allocated, so a truncated or hostile file
// gives an error, never a panic or a huge allocation.
package gguf

import (
	"fmt"
	"math"
)

// ValueType is the type tag of a metadata value.
type ValueType uint32

const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"}

func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("ValueType(%d)", uint32(t))
}

// fixedSize is the encoded size of a scalar type, 0 for string and array.
func (t ValueType) fixedSize() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// Value is one metadata value. V holds the Go value of the type named by
// Type: uint8, int8, uint16, int16, uint32, int32, float32, bool, string,
// uint64, int64, float64, or Array.
type Value struct {
	Type ValueType
	V    any
}

// Array is a metadata array. Values is a typed slice of the element type:
// []uint8, []int8, []uint16, []int16, []uint32, []int32, []float32, []bool,
// []string, []uint64, []int64, []float64, or []Array for nested arrays.
type Array struct {
	Elem   ValueType
	Values any
}

// Len is the number of elements.
func (a Array) Len() int {
	switch v := a.Values.(type) {
	case []uint8:
		return len(v)
	case []int8:
		return len(v)
	case []uint16:
		return len(v)
	case []int16:
		return len(v)
	case []uint32:
		return len(v)
	case []int32:
		return len(v)
	case []float32:
		return len(v)
	case []bool:
		return len(v)
	case []string:
		return len(v)
	case []uint64:
		return len(v)
	case []int64:
		return len(v)
	case []float64:
		return len(v)
	case []Array:
		return len(v)
	}
	return 0
}

// KV is one metadata entry.
type KV struct {
	Key   string
	Value Value
}

// Helpers to build values for the writer.

func Uint32Value(v uint32) Value   { return Value{TypeUint32, v} }
func Int32Value(v int32) Value     { return Value{TypeInt32, v} }
func Float32Value(v float32) Value { return Value{TypeFloat32, v} }
func BoolValue(v bool) Value       { return Value{TypeBool, v} }
func StringValue(v string) Value   { return Value{TypeString, v} }
func StringsValue(v []string) Value {
	return Value{TypeArray, Array{TypeString, v}}
}
func Float32sValue(v []float32) Value {
	return Value{TypeArray, Array{TypeFloat32, v}}
}
func Int32sValue(v []int32) Value {
	return Value{TypeArray, Array{TypeInt32, v}}
}

// asInt64 converts any integer value to int64, reporting whether it could.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case uint8:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case int16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}
