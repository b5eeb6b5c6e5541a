package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/wisp-llm/wisp/wasm/sample"
)

// fieldError is returned by the union types' decoders so that the error
// names the field at fault.
type fieldError struct {
	param, msg string
}

func (e *fieldError) Error() string { return e.param + ": " + e.msg }

// DecodeChat parses and validates a chat request body.
func DecodeChat(c Codec, body []byte) (*ChatRequest, error) {
	var req ChatRequest
	if err := decode(c, body, &req); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return &req, nil
}

// DecodeChatStream parses and validates a chat request that is streamed
// whatever its stream field says, as on a WebSocket.
func DecodeChatStream(c Codec, body []byte) (*ChatRequest, error) {
	var req ChatRequest
	if err := decode(c, body, &req); err != nil {
		return nil, err
	}
	req.Stream = true
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return &req, nil
}

// DecodeCompletion parses and validates a completion request body.
func DecodeCompletion(c Codec, body []byte) (*CompletionRequest, error) {
	var req CompletionRequest
	if err := decode(c, body, &req); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return &req, nil
}

func decode(c Codec, body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return BadRequest("", "the request body is empty: send a JSON object")
	}
	if firstByte(body) != '{' {
		return BadRequest("", "the request body must be a JSON object")
	}
	if err := c.Unmarshal(body, v); err != nil {
		// Codecs word their errors differently; encoding/json's typed
		// errors name the field, so ask it what went wrong.
		return describeDecodeError(body, v, err)
	}
	return nil
}

func describeDecodeError(body []byte, v any, codecErr error) error {
	err := json.Unmarshal(body, v)
	if err == nil {
		err = codecErr
	}
	var fe *fieldError
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &fe):
		e := BadRequest(fe.param, "Invalid value for '%s': %s.", fe.param, fe.msg)
		e.Code = "invalid_type"
		return e
	case errors.As(err, &te):
		// Fields of embedded structs come prefixed with the struct's name.
		param := strings.TrimPrefix(te.Field, "SamplingFields.")
		e := BadRequest(param, "Invalid type for '%s': expected %s, but got %s instead.", param, jsonKind(te.Type.Kind().String()), articled(te.Value))
		e.Code = "invalid_type"
		return e
	case errors.As(err, &se):
		return BadRequest("", "We could not parse the JSON body of your request: %v at byte %d.", se, se.Offset)
	}
	return BadRequest("", "We could not parse the JSON body of your request: %v.", err)
}

// jsonKind names a Go kind the way a JSON user thinks of it.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "bool":
		return "a boolean"
	case kind == "string":
		return "a string"
	case kind == "slice", kind == "array":
		return "an array"
	}
	return "an object"
}

func articled(jsonValue string) string {
	switch jsonValue {
	case "array", "object", "number":
		if jsonValue == "array" || jsonValue == "object" {
			return "an " + jsonValue
		}
		return "a " + jsonValue
	case "string", "bool":
		return "a " + jsonValue
	}
	return jsonValue
}

var roles = map[string]bool{"system": true, "developer": true, "user": true, "assistant": true, "tool": true}

// Validate checks the request's fields against their ranges.
func (r *ChatRequest) Validate() error {
	if len(r.Messages) == 0 {
		return BadRequest("messages", "'messages' must hold at least one message.")
	}
	for i, m := range r.Messages {
		if !roles[m.Role] {
			return BadRequest(fmt.Sprintf("messages[%d].role", i), "Invalid value for 'messages[%d].role': %q (want system, developer, user, assistant or tool).", i, m.Role)
		}
	}
	if r.MaxTokens != nil && r.MaxCompletionTokens != nil && *r.MaxTokens != *r.MaxCompletionTokens {
		return BadRequest("max_tokens", "Set either 'max_tokens' or 'max_completion_tokens', not both with different values.")
	}
	if err := positive("max_tokens", r.MaxTokens); err != nil {
		return err
	}
	if err := positive("max_completion_tokens", r.MaxCompletionTokens); err != nil {
		return err
	}
	if err := onlyOne(r.N); err != nil {
		return err
	}
	if r.TopLogprobs != nil {
		if *r.TopLogprobs < 0 || *r.TopLogprobs > 20 {
			return BadRequest("top_logprobs", "Invalid 'top_logprobs': %d is outside [0, 20].", *r.TopLogprobs)
		}
		if !r.Logprobs {
			return BadRequest("top_logprobs", "'top_logprobs' needs 'logprobs' set to true.")
		}
	}
	if r.StreamOptions != nil && !r.Stream {
		return BadRequest("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	}
	if r.ResponseFormat != nil && r.ResponseFormat.Type != "text" {
		return BadRequest("response_format", "response_format %q is not supported (only text).", r.ResponseFormat.Type)
	}
	if err := validateStop(r.Stop); err != nil {
		return err
	}
	return r.SamplingFields.validate()
}

// Validate checks the request's fields against their ranges.
func (r *CompletionRequest) Validate() error {
	if r.Prompt.Count > 1 {
		return BadRequest("prompt", "Only one prompt per request is supported (got %d).", r.Prompt.Count)
	}
	if r.Suffix != nil && *r.Suffix != "" {
		return BadRequest("suffix", "'suffix' is not supported.")
	}
	if err := positive("max_tokens", r.MaxTokens); err != nil {
		return err
	}
	if err := onlyOne(r.N); err != nil {
		return err
	}
	if r.BestOf != nil && *r.BestOf != 1 {
		return BadRequest("best_of", "Only best_of=1 is supported.")
	}
	if r.Logprobs != nil && (*r.Logprobs < 0 || *r.Logprobs > 5) {
		return BadRequest("logprobs", "Invalid 'logprobs': %d is outside [0, 5].", *r.Logprobs)
	}
	if r.StreamOptions != nil && !r.Stream {
		return BadRequest("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	}
	if err := validateStop(r.Stop); err != nil {
		return err
	}
	return r.SamplingFields.validate()
}

func positive(param string, v *int) error {
	if v != nil && *v < 1 {
		return BadRequest(param, "Invalid '%s': %d; it must be at least 1.", param, *v)
	}
	return nil
}

func onlyOne(n *int) error {
	if n != nil && *n != 1 {
		return BadRequest("n", "Only n=1 is supported (got %d).", *n)
	}
	return nil
}

func validateStop(stop StringList) error {
	if len(stop) > 4 {
		return BadRequest("stop", "At most 4 stop sequences are allowed (got %d).", len(stop))
	}
	return nil
}

func inRange(param string, v *float64, lo, hi float64) error {
	if v != nil && (math.IsNaN(*v) || *v < lo || *v > hi) {
		return BadRequest(param, "Invalid '%s': %g is outside [%g, %g].", param, *v, lo, hi)
	}
	return nil
}

func (s *SamplingFields) validate() error {
	for _, c := range []struct {
		param  string
		v      *float64
		lo, hi float64
	}{
		{"temperature", s.Temperature, 0, 2},
		{"top_p", s.TopP, 0, 1},
		{"min_p", s.MinP, 0, 1},
		{"repeat_penalty", s.RepeatPenalty, 0, 10},
		{"presence_penalty", s.PresencePenalty, -2, 2},
		{"frequency_penalty", s.FrequencyPenalty, -2, 2},
	} {
		if err := inRange(c.param, c.v, c.lo, c.hi); err != nil {
			return err
		}
	}
	if s.TopK != nil && *s.TopK < 0 {
		return BadRequest("top_k", "Invalid 'top_k': %d; it must not be negative.", *s.TopK)
	}
	return nil
}

// Params converts the fields to the sampler's settings with OpenAI's
// defaults (temperature 1, top_p 1). Without a seed the sampler is seeded
// at random, so equal requests may differ as they do with OpenAI.
func (s *SamplingFields) Params() sample.Params {
	p := sample.Params{Temperature: 1}
	if s.Temperature != nil {
		p.Temperature = float32(*s.Temperature)
	}
	if s.TopP != nil {
		if *s.TopP == 0 { // nucleus of the single most likely token
			p.Temperature = 0
		}
		p.TopP = float32(*s.TopP)
	}
	if s.TopK != nil {
		p.TopK = *s.TopK
	}
	if s.MinP != nil {
		p.MinP = float32(*s.MinP)
	}
	if s.RepeatPenalty != nil {
		p.RepeatPenalty = float32(*s.RepeatPenalty)
	}
	if s.PresencePenalty != nil {
		p.PresencePenalty = float32(*s.PresencePenalty)
	}
	if s.FrequencyPenalty != nil {
		p.FrequencyPenalty = float32(*s.FrequencyPenalty)
	}
	if s.Seed != nil {
		p.Seed = uint64(*s.Seed)
	} else {
		p.Seed = rand.Uint64()
	}
	return p
}
