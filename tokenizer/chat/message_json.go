package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Messages read and write OpenAI's JSON shape, so a server can decode a
// request's messages straight into []Message.

type messageJSON struct {
	Role             string          `json:"role"`
	Content          json.RawMessage `json:"content"`
	Name             string          `json:"name,omitempty"`
	ToolCalls        []ToolCall      `json:"tool_calls,omitempty"`
	ToolCallID       string          `json:"tool_call_id,omitempty"`
	ReasoningContent string          `json:"reasoning_content,omitempty"`
}

type contentPartJSON struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
}

// UnmarshalJSON accepts content as a string, null, or a list of parts.
func (m *Message) UnmarshalJSON(data []byte) error {
	var j messageJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*m = Message{Role: j.Role, Name: j.Name, ToolCalls: j.ToolCalls, ToolCallID: j.ToolCallID, ReasoningContent: j.ReasoningContent}
	content := bytes.TrimSpace(j.Content)
	switch {
	case len(content) == 0 || bytes.Equal(content, []byte("null")):
	case content[0] == '"':
		return json.Unmarshal(content, &m.Content)
	case content[0] == '[':
		var parts []contentPartJSON
		if err := json.Unmarshal(content, &parts); err != nil {
			return fmt.Errorf("message content: %w", err)
		}
		m.Parts = make([]ContentPart, len(parts))
		for i, p := range parts {
			m.Parts[i] = ContentPart(p)
		}
	default:
		return fmt.Errorf("message content: want a string, null or a list of parts")
	}
	return nil
}

// MarshalJSON writes content as a string, as its parts, or as null for an
// assistant tool call without text.
func (m Message) MarshalJSON() ([]byte, error) {
	j := messageJSON{Role: m.Role, Name: m.Name, ToolCalls: m.ToolCalls, ToolCallID: m.ToolCallID, ReasoningContent: m.ReasoningContent}
	var err error
	switch {
	case m.Parts != nil:
		parts := make([]contentPartJSON, len(m.Parts))
		for i, p := range m.Parts {
			parts[i] = contentPartJSON(p)
		}
		j.Content, err = json.Marshal(parts)
	case m.Content == "" && len(m.ToolCalls) > 0:
		j.Content = json.RawMessage("null")
	default:
		j.Content, err = json.Marshal(m.Content)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(j)
}

type toolCallJSON struct {
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type"`
	Function FunctionCall `json:"function"`
}

func (tc *ToolCall) UnmarshalJSON(data []byte) error {
	var j toolCallJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*tc = ToolCall(j)
	return nil
}

func (tc ToolCall) MarshalJSON() ([]byte, error) {
	j := toolCallJSON(tc)
	if j.Type == "" {
		j.Type = "function"
	}
	return json.Marshal(j)
}

type functionCallJSON struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// UnmarshalJSON takes arguments as OpenAI's JSON text or, as Hugging Face
// examples write them, as an object, which is kept as its JSON text.
func (f *FunctionCall) UnmarshalJSON(data []byte) error {
	var j functionCallJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	f.Name = j.Name
	args := bytes.TrimSpace(j.Arguments)
	switch {
	case len(args) == 0 || bytes.Equal(args, []byte("null")):
		f.Arguments = ""
	case args[0] == '"':
		return json.Unmarshal(args, &f.Arguments)
	default:
		f.Arguments = string(args)
	}
	return nil
}

func (f FunctionCall) MarshalJSON() ([]byte, error) {
	args, err := json.Marshal(f.Arguments)
	if err != nil {
		return nil, err
	}
	return json.Marshal(functionCallJSON{Name: f.Name, Arguments: args})
}
