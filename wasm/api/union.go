package api

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// OpenAI fields that take more than one JSON shape. Each decodes itself
// with encoding/json, whatever codec reads the rest of the body (sonic
// calls json.Unmarshaler too), so their errors read the same everywhere.

// Content is a message's content: a string, null, or a list of parts of
// which only text parts are served.
type Content struct {
	Text  string
	Parts []ContentPart // set when the content was a list
	Null  bool          // set when the content was null or absent
}

// ContentPart is one element of the list form of content.
type ContentPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// UnmarshalJSON accepts a string, null or a list of text parts.
func (c *Content) UnmarshalJSON(b []byte) error {
	*c = Content{}
	switch firstByte(b) {
	case 'n':
		c.Null = true
		return nil
	case '"':
		return json.Unmarshal(b, &c.Text)
	case '[':
		if err := json.Unmarshal(b, &c.Parts); err != nil {
			return &fieldError{"content", "content parts must be objects with a type and text"}
		}
		for _, p := range c.Parts {
			if p.Type != "text" {
				return &fieldError{"content", fmt.Sprintf("content part type %q is not supported (only text)", p.Type)}
			}
		}
		if c.Parts == nil {
			c.Parts = []ContentPart{}
		}
		return nil
	}
	return &fieldError{"content", "content must be a string or a list of text parts"}
}

// String is the text of the content, parts joined with newlines.
func (c Content) String() string {
	if c.Parts == nil {
		return c.Text
	}
	var b bytes.Buffer
	for i, p := range c.Parts {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Text)
	}
	return b.String()
}

// StringList is a field that is a string or a list of strings (stop).
type StringList []string

// UnmarshalJSON accepts null, a string or a list of strings.
func (s *StringList) UnmarshalJSON(b []byte) error {
	switch firstByte(b) {
	case 'n':
		*s = nil
		return nil
	case '"':
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = StringList{one}
		return nil
	case '[':
		var list []string
		if err := json.Unmarshal(b, &list); err != nil {
			return &fieldError{"stop", "must be a string or a list of strings"}
		}
		*s = list
		return nil
	}
	return &fieldError{"stop", "must be a string or a list of strings"}
}

// Prompt is a completion prompt: a string, a list of token ids, or a list
// holding one of those (OpenAI's batch form, served for one prompt only).
type Prompt struct {
	Text   string
	Tokens []int32 // set when the prompt was given as token ids
	Count  int     // prompts in the request; only 1 is served
}

// UnmarshalJSON accepts every shape OpenAI documents for prompt.
func (p *Prompt) UnmarshalJSON(b []byte) error {
	*p = Prompt{Count: 1}
	switch firstByte(b) {
	case 'n':
		return nil
	case '"':
		return json.Unmarshal(b, &p.Text)
	case '[':
	default:
		return &fieldError{"prompt", "must be a string, a list of strings, or token ids"}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	switch firstByte(items[0]) {
	case '"', '[':
		p.Count = len(items)
		if len(items) != 1 {
			return nil // Validate reports the count
		}
		var inner Prompt
		if err := inner.UnmarshalJSON(items[0]); err != nil {
			return err
		}
		if inner.Count != 1 {
			return &fieldError{"prompt", "prompt lists nest one level only"}
		}
		p.Text, p.Tokens = inner.Text, inner.Tokens
		return nil
	}
	if err := json.Unmarshal(b, &p.Tokens); err != nil {
		return &fieldError{"prompt", "token ids must be integers"}
	}
	return nil
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
