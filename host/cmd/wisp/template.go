package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wisp-llm/wisp/tokenizer/chat"
)

func init() {
	commands["template"] = command{"render a chat template for a conversation (for debugging)", runTemplate}
}

func runTemplate(args []string, stdout io.Writer) error {
	fs := newFlags("template")
	templatePath := fs.String("t", "", "template file (Jinja)")
	messagesPath := fs.String("m", "", "messages file: a JSON array of OpenAI-style messages")
	toolsPath := fs.String("tools", "", "tools file: a JSON array of OpenAI-style tool definitions")
	addGen := fs.Bool("add-generation-prompt", false, "end with the prompt for the assistant's turn")
	bos := fs.String("bos-token", "<s>", "text of the BOS token")
	eos := fs.String("eos-token", "</s>", "text of the EOS token")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *templatePath == "" || *messagesPath == "" {
		return errors.New("usage: wisp template -t TEMPLATE.jinja -m MESSAGES.json [--tools TOOLS.json] [--add-generation-prompt]")
	}
	src, err := os.ReadFile(*templatePath)
	if err != nil {
		return err
	}
	messages, err := os.ReadFile(*messagesPath)
	if err != nil {
		return err
	}
	var tools []byte
	if *toolsPath != "" {
		if tools, err = os.ReadFile(*toolsPath); err != nil {
			return err
		}
	}
	out, err := chat.RenderJSON(string(src), messages, tools, *addGen, *bos, *eos)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(stdout, out)
	return err
}
