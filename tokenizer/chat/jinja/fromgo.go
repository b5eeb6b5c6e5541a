package jinja

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
)

// FromGo converts a Go value into a template value. Template values pass
// through unchanged; nil, bools, numbers and strings map to their Python
// counterparts; slices become lists; map[string]any becomes a dict with
// sorted keys (Go maps have no order); json.RawMessage is decoded keeping
// its key order; anything else goes through encoding/json.
func FromGo(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, *List, *Dict, *Namespace, Undefined, *Func:
		return v, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case json.Number:
		return jsonNumber(x)
	case json.RawMessage:
		return DecodeJSON(x)
	case []any:
		l := &List{Items: make([]any, len(x))}
		for i, it := range x {
			c, err := FromGo(it)
			if err != nil {
				return nil, err
			}
			l.Items[i] = c
		}
		return l, nil
	case []string:
		l := &List{Items: make([]any, len(x))}
		for i, it := range x {
			l.Items[i] = it
		}
		return l, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		d := NewDict()
		for _, k := range keys {
			c, err := FromGo(x[k])
			if err != nil {
				return nil, err
			}
			d.Set(k, c)
		}
		return d, nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Func {
		return nil, fmt.Errorf("cannot pass a Go %T to a template", v)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("converting %T: %w", v, err)
	}
	return DecodeJSON(data)
}
