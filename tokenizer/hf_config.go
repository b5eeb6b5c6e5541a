package tokenizer

import (
	"encoding/json"
	"fmt"
)

// The regular expressions tokenizer.json files spell out, mapped to the
// scanners that implement them.
const (
	hfRegexGPT2   = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	hfRegexLlama3 = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	hfRegexQwen2  = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

var hfSplitRegexes = map[string]string{
	hfRegexGPT2:   "gpt-2",
	hfRegexLlama3: "llama-bpe",
	hfRegexQwen2:  "qwen2",
}

// hfStep is one pre-tokenizer, normalizer or post-processor of
// tokenizer.json; each kind reads the fields it has.
type hfStep struct {
	Type          string   `json:"type"`
	Pretokenizers []hfStep `json:"pretokenizers"`
	Normalizers   []hfStep `json:"normalizers"`
	Processors    []hfStep `json:"processors"`

	// Split
	Pattern struct {
		Regex  *string `json:"Regex"`
		String *string `json:"String"`
	} `json:"pattern"`
	Behavior string `json:"behavior"`
	Invert   bool   `json:"invert"`
	// Digits
	IndividualDigits bool `json:"individual_digits"`
	// ByteLevel; use_regex defaults to true when absent.
	AddPrefixSpace bool  `json:"add_prefix_space"`
	UseRegex       *bool `json:"use_regex"`
	// TemplateProcessing
	Single []struct {
		SpecialToken *struct {
			ID string `json:"id"`
		} `json:"SpecialToken"`
		Sequence *struct {
			ID string `json:"id"`
		} `json:"Sequence"`
	} `json:"single"`
}

// hfFlatten lists the steps of a (possibly nested) Sequence in order.
func hfFlatten(s hfStep, dst []hfStep) []hfStep {
	if s.Type != "Sequence" {
		return append(dst, s)
	}
	for _, sub := range s.Pretokenizers {
		dst = hfFlatten(sub, dst)
	}
	for _, sub := range s.Normalizers {
		dst = hfFlatten(sub, dst)
	}
	for _, sub := range s.Processors {
		dst = hfFlatten(sub, dst)
	}
	return dst
}

func hfParseSteps(raw json.RawMessage, what string) ([]hfStep, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s hfStep
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return hfFlatten(s, nil), nil
}

// hfPreTokenizerName recognises the pre-tokenizer configurations of the
// byte-level BPE families this package supports and returns the GGUF name
// of the matching scanner. ByteLevel's add_prefix_space is refused: llama.cpp
// ignores it for BPE, so honouring it would part from GGUF conversions.
func hfPreTokenizerName(raw json.RawMessage) (string, error) {
	steps, err := hfParseSteps(raw, "pre_tokenizer")
	if err != nil {
		return "", err
	}
	useRegex := func(s hfStep) bool { return s.UseRegex == nil || *s.UseRegex }
	for _, s := range steps {
		if s.Type == "ByteLevel" && s.AddPrefixSpace {
			return "", fmt.Errorf("pre_tokenizer: ByteLevel add_prefix_space is not supported")
		}
	}
	switch {
	case len(steps) == 1 && steps[0].Type == "ByteLevel" && useRegex(steps[0]):
		return "gpt-2", nil
	case len(steps) == 2 && steps[0].Type == "Digits" && steps[0].IndividualDigits &&
		steps[1].Type == "ByteLevel" && useRegex(steps[1]):
		return "starcoder", nil
	case len(steps) == 2 && steps[0].Type == "Split" && steps[1].Type == "ByteLevel" && !useRegex(steps[1]):
		split := steps[0]
		if split.Pattern.Regex == nil || split.Behavior != "Isolated" || split.Invert {
			return "", fmt.Errorf("pre_tokenizer: unsupported Split (behavior %q, invert %v)", split.Behavior, split.Invert)
		}
		name, ok := hfSplitRegexes[*split.Pattern.Regex]
		if !ok {
			return "", fmt.Errorf("pre_tokenizer: unsupported Split regex %q", *split.Pattern.Regex)
		}
		return name, nil
	}
	var types []string
	for _, s := range steps {
		types = append(types, s.Type)
	}
	return "", fmt.Errorf("pre_tokenizer: unsupported sequence %q", types)
}

// hfNormalizerNFC reports whether the normalizer is NFC; no normalizer is
// fine, any other is an error rather than a silently different encoding.
func hfNormalizerNFC(raw json.RawMessage) (bool, error) {
	steps, err := hfParseSteps(raw, "normalizer")
	if err != nil {
		return false, err
	}
	nfc := false
	for _, s := range steps {
		if s.Type != "NFC" {
			return false, fmt.Errorf("normalizer: unsupported %q", s.Type)
		}
		nfc = true
	}
	return nfc, nil
}

// hfPostProcessor reads whether a BOS (and EOS) is added around a single
// text from a TemplateProcessing post-processor; ByteLevel (offsets only)
// and RobertaProcessing change nothing the tokenizer itself does.
func hfPostProcessor(raw json.RawMessage, v *Vocab) error {
	steps, err := hfParseSteps(raw, "post_processor")
	if err != nil {
		return err
	}
	for _, s := range steps {
		if s.Type != "TemplateProcessing" || len(s.Single) == 0 {
			continue
		}
		lookup := func(text string) (int32, error) {
			for id, t := range v.Tokens {
				if t == text {
					return int32(id), nil
				}
			}
			return NoToken, fmt.Errorf("post_processor: template token %q is not in the vocabulary", text)
		}
		if first := s.Single[0].SpecialToken; first != nil {
			id, err := lookup(first.ID)
			if err != nil {
				return err
			}
			v.BOS, v.AddBOS = id, true
		}
		if last := s.Single[len(s.Single)-1].SpecialToken; last != nil && len(s.Single) > 1 {
			id, err := lookup(last.ID)
			if err != nil {
				return err
			}
			v.EOS, v.AddEOS = id, true
		}
	}
	return nil
}
